# replaces: newton_schulz
# alternative: a tall matrix is not transposed; the polynomial acts on the right with X^T X
def newton_schulz(g, steps=5, eps=1e-7):
    a, b, c = NS_COEFFICIENTS
    x = g / (g.norm() + eps)
    for _ in range(steps):
        if x.shape[0] > x.shape[1]:
            gram = x.T @ x  # (n, n)
            x = a * x + x @ (b * gram + c * gram @ gram)
        else:
            gram = x @ x.T  # (m, m)
            x = a * x + (b * gram + c * gram @ gram) @ x
    return x
