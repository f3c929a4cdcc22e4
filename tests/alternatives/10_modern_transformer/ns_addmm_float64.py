# replaces: newton_schulz
# alternative: computes in float64 with torch.addmm and casts back to g's dtype
def newton_schulz(g, steps=5, eps=1e-7):
    a, b, c = NS_COEFFICIENTS
    x = g.double()
    tall = x.shape[0] > x.shape[1]
    if tall:
        x = x.T  # (m, n), m <= n
    x = x / torch.linalg.matrix_norm(x, ord="fro").clamp_min(0.0).add(eps)
    for _ in range(steps):
        gram = x @ x.T  # (m, m)
        update = torch.addmm(gram, gram, gram, beta=b, alpha=c)  # b A + c A^2
        x = torch.addmm(x, update, x, beta=a)
    if tall:
        x = x.T
    return x.to(g.dtype)
