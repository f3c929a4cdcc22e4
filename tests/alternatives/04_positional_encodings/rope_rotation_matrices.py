# replaces: apply_rope
# alternative: one 2x2 rotation matrix per (position, pair), applied with einsum
def apply_rope(x):
    length, width = x.shape[-2], x.shape[-1]
    frequencies = 10000.0 ** (-torch.arange(0, width, 2, dtype=torch.float64) / width)
    # (T, D/2)
    angles = torch.arange(length, dtype=torch.float64)[:, None] * frequencies
    cos, sin = angles.cos(), angles.sin()  # (T, D/2) each
    # (T, D/2, 2, 2): [[cos, -sin], [sin, cos]]
    rotations = torch.stack(
        [torch.stack([cos, -sin], dim=-1), torch.stack([sin, cos], dim=-1)], dim=-2
    ).to(x.dtype)
    pairs = x.unflatten(-1, (width // 2, 2))  # (..., T, D) -> (..., T, D/2, 2)
    turned = torch.einsum("tpij,...tpj->...tpi", rotations, pairs)  # (..., T, D/2, 2)
    return turned.flatten(-2)  # (..., T, D)
