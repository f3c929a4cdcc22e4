# replaces: apply_rope
# mistake: uses 10000^(-i/D) with the pair index i instead of 10000^(-2i/D)
def apply_rope(x):
    length, width = x.shape[-2], x.shape[-1]
    positions = torch.arange(length, dtype=torch.float64).unsqueeze(1)  # (T, 1)
    frequencies = 10000.0 ** (
        -torch.arange(width // 2, dtype=torch.float64) / width
    )  # (D/2,), too slow
    angles = positions * frequencies  # (T, D/2)
    cos, sin = torch.cos(angles).to(x.dtype), torch.sin(angles).to(x.dtype)
    even, odd = x[..., 0::2], x[..., 1::2]  # (..., T, D/2)
    return torch.stack(
        [even * cos - odd * sin, even * sin + odd * cos], dim=-1
    ).flatten(-2)  # (..., T, D)
