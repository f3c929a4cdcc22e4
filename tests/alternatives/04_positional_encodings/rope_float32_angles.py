# replaces: apply_rope
# alternative: angles in float32 whatever the input dtype, as LLaMA and Hugging Face compute them
def apply_rope(x):
    length, width = x.shape[-2], x.shape[-1]
    # (D/2,)
    inv_freq = 1.0 / (10000.0 ** (torch.arange(0, width, 2).float() / width))
    positions = torch.arange(length, dtype=torch.float32)  # (T,)
    angles = torch.outer(positions, inv_freq)  # (T, D/2)
    cos, sin = angles.cos().to(x.dtype), angles.sin().to(x.dtype)  # (T, D/2) each
    x1, x2 = x[..., 0::2], x[..., 1::2]  # (..., T, D/2) each
    out = torch.empty_like(x)  # (..., T, D)
    out[..., 0::2] = x1 * cos - x2 * sin
    out[..., 1::2] = x1 * sin + x2 * cos
    return out
