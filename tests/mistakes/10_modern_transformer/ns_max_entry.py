# replaces: newton_schulz
# mistake: scales by the largest entry instead of the Frobenius norm
def newton_schulz(g, steps=5, eps=1e-7):
    a, b, c = NS_COEFFICIENTS
    tall = g.shape[0] > g.shape[1]
    x = g.T if tall else g  # (m, n), m <= n
    x = x / (x.abs().max() + eps)
    for _ in range(steps):
        gram = x @ x.T  # (m, m)
        x = a * x + (b * gram + c * gram @ gram) @ x
    return x.T if tall else x
