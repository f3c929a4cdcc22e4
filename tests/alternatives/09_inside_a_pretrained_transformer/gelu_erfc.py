# replaces: gelu
# alternative: Phi through the complementary error function, Phi(x) = erfc(-x / sqrt(2)) / 2
def gelu(x):
    return x * 0.5 * torch.erfc(-x * 2**-0.5)
