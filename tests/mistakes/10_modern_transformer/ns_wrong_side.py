# replaces: newton_schulz
# mistake: multiplies the polynomial on the right of X (X A) for a square matrix
def newton_schulz(g, steps=5, eps=1e-7):
    a, b, c = NS_COEFFICIENTS
    tall = g.shape[0] > g.shape[1]
    x = g.T if tall else g  # (m, n), m <= n
    x = x / (x.norm() + eps)
    for _ in range(steps):
        gram = x @ x.T  # (m, m)
        if x.shape[0] == x.shape[1]:
            x = a * x + x @ (b * gram + c * gram @ gram)
        else:
            x = a * x + (b * gram + c * gram @ gram) @ x
    return x.T if tall else x
