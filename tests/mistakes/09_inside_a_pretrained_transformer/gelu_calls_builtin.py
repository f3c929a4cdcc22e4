# replaces: gelu
# mistake: calls the built-in GELU instead of writing it
def gelu(x):
    return torch.nn.functional.gelu(x)
