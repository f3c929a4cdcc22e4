# replaces: sinusoidal
# alternative: a Python loop over columns, each angle from the math module in float64
def sinusoidal_positional_encoding(seq_len, d_model):
    positions = torch.arange(seq_len, dtype=torch.float64)  # (T,)
    columns = []
    for j in range(d_model):
        frequency = 1.0 / 10000 ** ((j - j % 2) / d_model)
        angle = positions * frequency  # (T,)
        columns.append(torch.sin(angle) if j % 2 == 0 else torch.cos(angle))
    # d_model columns of (T,) -> (T, D)
    return torch.stack(columns, dim=1).to(torch.get_default_dtype())
