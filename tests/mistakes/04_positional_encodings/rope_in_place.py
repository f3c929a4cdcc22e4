# replaces: apply_rope
# mistake: writes the rotated pairs back into x, changing the caller's tensor
def apply_rope(x):
    length, width = x.shape[-2], x.shape[-1]
    positions = torch.arange(length, dtype=torch.float64).unsqueeze(1)  # (T, 1)
    frequencies = 10000.0 ** (
        -torch.arange(0, width, 2, dtype=torch.float64) / width
    )  # (D/2,)
    angles = positions * frequencies  # (T, D/2)
    cos, sin = torch.cos(angles).to(x.dtype), torch.sin(angles).to(x.dtype)
    even, odd = x[..., 0::2].clone(), x[..., 1::2].clone()  # (..., T, D/2)
    with torch.no_grad():
        x[..., 0::2] = even * cos - odd * sin
        x[..., 1::2] = even * sin + odd * cos
    return x
