# replaces: gelu
# alternative: multiplies by the literal 1/sqrt(2) instead of dividing by sqrt(2)
def gelu(x: torch.Tensor) -> torch.Tensor:
    phi = 0.5 * (1.0 + torch.erf(x * 0.7071067811865476))  # standard normal CDF
    return x * phi
