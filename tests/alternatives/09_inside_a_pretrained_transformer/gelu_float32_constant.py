# replaces: gelu
# alternative: sqrt(2) computed as a float32 tensor (a float32 constant in float64 arithmetic); halving last
def gelu(x):
    root_two = torch.tensor(2.0).sqrt()  # float32, 0-dimensional: x keeps its dtype
    return x * (1 + torch.erf(x / root_two)) / 2
