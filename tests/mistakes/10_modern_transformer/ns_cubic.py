# replaces: newton_schulz
# mistake: uses the classic cubic Newton-Schulz coefficients (1.5, -0.5, 0)
def newton_schulz(g, steps=5, eps=1e-7):
    a, b, c = 1.5, -0.5, 0.0
    tall = g.shape[0] > g.shape[1]
    x = g.T if tall else g  # (m, n), m <= n
    x = x / (x.norm() + eps)
    for _ in range(steps):
        gram = x @ x.T  # (m, m)
        x = a * x + (b * gram + c * gram @ gram) @ x
    return x.T if tall else x
