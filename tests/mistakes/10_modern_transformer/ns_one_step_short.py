# replaces: newton_schulz
# mistake: an off-by-one loop that runs one step fewer than asked
def newton_schulz(g, steps=5, eps=1e-7):
    a, b, c = NS_COEFFICIENTS
    tall = g.shape[0] > g.shape[1]
    x = g.T if tall else g  # (m, n), m <= n
    x = x / (x.norm() + eps)
    for _ in range(1, steps):
        gram = x @ x.T  # (m, m)
        x = a * x + (b * gram + c * gram @ gram) @ x
    return x.T if tall else x
