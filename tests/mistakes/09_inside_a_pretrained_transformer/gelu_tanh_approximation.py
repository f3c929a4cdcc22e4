# replaces: gelu
# mistake: uses the tanh approximation of GELU instead of the exact erf form the model was trained with
def gelu(x):
    return (
        0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))
    )
