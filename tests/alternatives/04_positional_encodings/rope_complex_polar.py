# replaces: apply_rope
# alternative: pairs as complex numbers multiplied by e^(i p theta) from torch.polar (RoFormer / LLaMA style)
def apply_rope(x):
    length, width = x.shape[-2], x.shape[-1]
    # (D/2,)
    theta = 10000.0 ** (-torch.arange(0, width, 2, dtype=torch.float32) / width)
    angles = torch.arange(length, dtype=torch.float32)[:, None] * theta  # (T, D/2)
    rotation = torch.polar(torch.ones_like(angles), angles)  # (T, D/2) complex64
    if x.dtype == torch.float64:
        rotation = rotation.to(torch.complex128)
    # (..., T, D) -> (..., T, D/2, 2) -> (..., T, D/2) complex
    pairs = torch.view_as_complex(x.reshape(*x.shape[:-1], width // 2, 2).contiguous())
    # (..., T, D/2) complex -> (..., T, D/2, 2) -> (..., T, D)
    return torch.view_as_real(pairs * rotation).flatten(-2)
