# replaces: newton_schulz
# mistake: transposes a tall matrix but forgets to transpose the result back
def newton_schulz(g, steps=5, eps=1e-7):
    a, b, c = NS_COEFFICIENTS
    x = g.T if g.shape[0] > g.shape[1] else g  # (m, n), m <= n
    x = x / (x.norm() + eps)
    for _ in range(steps):
        gram = x @ x.T  # (m, m)
        x = a * x + (b * gram + c * gram @ gram) @ x
    return x
