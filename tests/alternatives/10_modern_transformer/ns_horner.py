# replaces: newton_schulz
# alternative: Horner-style products, Frobenius norm as a square root of a sum
def newton_schulz(g, steps=5, eps=1e-7):
    a, b, c = NS_COEFFICIENTS
    tall = g.shape[0] > g.shape[1]
    x = g.mT if tall else g  # (m, n), m <= n
    x = x / (torch.sqrt((x * x).sum()) + eps)
    for _ in range(steps):
        gram = x @ x.mT  # (m, m)
        x = a * x + b * (gram @ x) + c * (gram @ (gram @ x))
    return x.mT if tall else x
