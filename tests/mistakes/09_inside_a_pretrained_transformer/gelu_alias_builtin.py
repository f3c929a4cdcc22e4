# replaces: gelu
# mistake: captures torch's own GELU under another name and calls it
_exact_gelu = torch.nn.functional.gelu


def gelu(x):
    return _exact_gelu(x, approximate="none")
