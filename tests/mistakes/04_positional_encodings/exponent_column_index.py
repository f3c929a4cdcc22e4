# replaces: sinusoidal
# mistake: uses the column index j in the exponent, so the cosine column 2i+1 gets its own, slightly slower, frequency
def sinusoidal_positional_encoding(seq_len, d_model):
    positions = torch.arange(seq_len, dtype=torch.float64).unsqueeze(1)  # (T, 1)
    columns = torch.arange(d_model, dtype=torch.float64)  # (D,)
    angles = positions / 10000.0 ** (columns / d_model)  # (T, D)
    encoding = torch.where(
        columns.long() % 2 == 0, torch.sin(angles), torch.cos(angles)
    )
    return encoding.float()
