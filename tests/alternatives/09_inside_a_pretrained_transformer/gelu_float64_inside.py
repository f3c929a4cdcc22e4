# replaces: gelu
# alternative: computed in float64 and cast back to the input's dtype
def gelu(x):
    wide = x.to(torch.float64)
    return (0.5 * wide * (1.0 + torch.erf(wide / math.sqrt(2.0)))).to(x.dtype)
