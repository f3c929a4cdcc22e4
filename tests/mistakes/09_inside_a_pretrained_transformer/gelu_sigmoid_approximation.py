# replaces: gelu
# mistake: uses the x * sigmoid(1.702 x) approximation
def gelu(x):
    return x * torch.sigmoid(1.702 * x)
