# replaces: apply_rope
# mistake: numbers the positions from 1, so position 0 is rotated too
def apply_rope(x):
    length, width = x.shape[-2], x.shape[-1]
    positions = torch.arange(1, length + 1, dtype=torch.float64).unsqueeze(
        1
    )  # (T, 1), starts at 1
    frequencies = 10000.0 ** (
        -torch.arange(0, width, 2, dtype=torch.float64) / width
    )  # (D/2,)
    angles = positions * frequencies  # (T, D/2)
    cos, sin = torch.cos(angles).to(x.dtype), torch.sin(angles).to(x.dtype)
    even, odd = x[..., 0::2], x[..., 1::2]  # (..., T, D/2)
    return torch.stack(
        [even * cos - odd * sin, even * sin + odd * cos], dim=-1
    ).flatten(-2)  # (..., T, D)
