# replaces: newton_schulz
# mistake: skips the division by the Frobenius norm, so large singular values blow up
def newton_schulz(g, steps=5, eps=1e-7):
    a, b, c = NS_COEFFICIENTS
    tall = g.shape[0] > g.shape[1]
    x = g.T if tall else g  # (m, n), m <= n
    for _ in range(steps):
        gram = x @ x.T  # (m, m)
        x = a * x + (b * gram + c * gram @ gram) @ x
    return x.T if tall else x
