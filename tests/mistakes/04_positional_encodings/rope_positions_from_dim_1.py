# replaces: apply_rope
# mistake: takes the number of positions from dim 1, which is the head axis for (B, H, T, D/H) inputs
def apply_rope(x):
    length, width = x.shape[1], x.shape[-1]
    positions = torch.arange(length, dtype=torch.float64).unsqueeze(1)  # (T?, 1)
    frequencies = 10000.0 ** (
        -torch.arange(0, width, 2, dtype=torch.float64) / width
    )  # (D/2,)
    angles = positions * frequencies  # (T?, D/2)
    if x.dim() > 3:
        angles = angles.unsqueeze(1)  # broadcast over dim 2
    cos, sin = torch.cos(angles).to(x.dtype), torch.sin(angles).to(x.dtype)
    even, odd = x[..., 0::2], x[..., 1::2]  # (..., T, D/2)
    return torch.stack(
        [even * cos - odd * sin, even * sin + odd * cos], dim=-1
    ).flatten(-2)  # (..., T, D)
