# replaces: sinusoidal
# mistake: numbers the positions from 1 instead of 0
def sinusoidal_positional_encoding(seq_len, d_model):
    positions = torch.arange(1, seq_len + 1, dtype=torch.float64).unsqueeze(
        1
    )  # (T, 1), starts at 1
    angles = positions / 10000.0 ** (
        torch.arange(0, d_model, 2, dtype=torch.float64) / d_model
    )  # (T, ceil(D/2))
    encoding = torch.zeros(seq_len, d_model, dtype=torch.float64)
    encoding[:, 0::2] = torch.sin(angles)
    encoding[:, 1::2] = torch.cos(angles[:, : d_model // 2])
    return encoding.float()
