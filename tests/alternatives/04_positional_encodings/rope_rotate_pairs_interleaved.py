# replaces: apply_rope
# alternative: x * cos + rotate_pairs(x) * sin, with cos and sin repeated per pair (repeat_interleave)
def apply_rope(x):
    length, width = x.shape[-2], x.shape[-1]
    pair = torch.arange(width // 2, dtype=x.dtype)  # (D/2,)
    theta = torch.exp(-math.log(10000.0) * 2 * pair / width)  # (D/2,)
    angles = torch.arange(length, dtype=x.dtype)[:, None] * theta  # (T, D/2)
    cos = angles.cos().repeat_interleave(2, dim=-1)  # (T, D): c0 c0 c1 c1 ...
    sin = angles.sin().repeat_interleave(2, dim=-1)  # (T, D)
    # (..., T, D/2, 2): (-x_odd, x_even) per pair, then back to (..., T, D)
    rotated = torch.stack([-x[..., 1::2], x[..., 0::2]], dim=-1).flatten(-2)
    return x * cos + rotated * sin
