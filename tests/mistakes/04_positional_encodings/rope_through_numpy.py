# replaces: apply_rope
# mistake: computes the rotation in NumPy and converts back, so no gradient flows
def apply_rope(x):
    import numpy as np

    values = x.detach().cpu().numpy()
    length, width = values.shape[-2], values.shape[-1]
    angles = np.arange(length)[:, None] * 10000.0 ** (
        -np.arange(0, width, 2) / width
    )  # (T, D/2)
    even, odd = values[..., 0::2], values[..., 1::2]  # (..., T, D/2)
    out = np.stack(
        [
            even * np.cos(angles) - odd * np.sin(angles),
            even * np.sin(angles) + odd * np.cos(angles),
        ],
        -1,
    )
    return torch.from_numpy(
        out.reshape(values.shape).astype(values.dtype)
    )  # (..., T, D)
