# replaces: gelu
# mistake: forgets to divide by sqrt(2) inside erf (erf is not the normal CDF)
def gelu(x):
    return 0.5 * x * (1.0 + torch.erf(x))
