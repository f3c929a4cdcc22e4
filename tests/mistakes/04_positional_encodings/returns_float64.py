# replaces: sinusoidal
# mistake: returns the float64 table instead of the default dtype, so adding it promotes float32 embeddings
def sinusoidal_positional_encoding(seq_len, d_model):
    positions = torch.arange(seq_len, dtype=torch.float64).unsqueeze(1)  # (T, 1)
    angles = positions / 10000.0 ** (
        torch.arange(0, d_model, 2, dtype=torch.float64) / d_model
    )  # (T, ceil(D/2))
    encoding = torch.zeros(seq_len, d_model, dtype=torch.float64)
    encoding[:, 0::2] = torch.sin(angles)
    encoding[:, 1::2] = torch.cos(angles[:, : d_model // 2])
    return encoding
