# replaces: apply_rope
# mistake: rotates x.detach(), so the values are right but no gradient reaches x
def apply_rope(x):
    x = x.detach()
    length, width = x.shape[-2], x.shape[-1]
    theta = 10000.0 ** (
        -torch.arange(0, width, 2, dtype=torch.float64) / width
    )  # (D/2,)
    angles = torch.arange(length, dtype=torch.float64)[:, None] * theta  # (T, D/2)
    cos, sin = angles.cos().to(x.dtype), angles.sin().to(x.dtype)  # (T, D/2)
    even, odd = x[..., 0::2], x[..., 1::2]  # (..., T, D/2)
    return torch.stack([even * cos - odd * sin, even * sin + odd * cos], -1).flatten(-2)
