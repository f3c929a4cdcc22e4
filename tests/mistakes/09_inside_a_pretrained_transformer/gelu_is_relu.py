# replaces: gelu
# mistake: writes ReLU, thinking GELU is the same away from zero
def gelu(x):
    return torch.clamp(x, min=0)
