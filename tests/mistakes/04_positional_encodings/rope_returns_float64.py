# replaces: apply_rope
# mistake: computes in float64 and never converts back, so float32 inputs come out as float64
def apply_rope(x):
    length, width = x.shape[-2], x.shape[-1]
    positions = torch.arange(length, dtype=torch.float64).unsqueeze(1)  # (T, 1)
    angles = positions * 10000.0 ** (
        -torch.arange(0, width, 2, dtype=torch.float64) / width
    )  # (T, D/2)
    even, odd = x[..., 0::2].double(), x[..., 1::2].double()  # (..., T, D/2)
    rotated = torch.stack(
        [
            even * angles.cos() - odd * angles.sin(),
            even * angles.sin() + odd * angles.cos(),
        ],
        -1,
    )
    return rotated.flatten(-2)  # (..., T, D), float64
