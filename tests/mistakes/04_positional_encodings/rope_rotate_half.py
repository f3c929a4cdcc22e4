# replaces: apply_rope
# mistake: pairs column i with column i + D/2 (the rotate-half layout) instead of adjacent columns (2i, 2i+1)
def apply_rope(x):
    length, width = x.shape[-2], x.shape[-1]
    positions = torch.arange(length, dtype=torch.float64).unsqueeze(1)  # (T, 1)
    frequencies = 10000.0 ** (
        -torch.arange(0, width, 2, dtype=torch.float64) / width
    )  # (D/2,)
    angles = positions * frequencies  # (T, D/2)
    cos, sin = torch.cos(angles).to(x.dtype), torch.sin(angles).to(x.dtype)
    first, second = x[..., : width // 2], x[..., width // 2 :]  # (..., T, D/2) each
    return torch.cat(
        [first * cos - second * sin, first * sin + second * cos], dim=-1
    )  # (..., T, D)
