# replaces: sinusoidal
# mistake: uses the pair index i instead of 2i in the exponent (10000^(i/d)), so the frequencies fall too slowly
def sinusoidal_positional_encoding(seq_len, d_model):
    positions = torch.arange(seq_len, dtype=torch.float64).unsqueeze(1)  # (T, 1)
    pairs = torch.arange((d_model + 1) // 2, dtype=torch.float64)  # (ceil(D/2),)
    angles = positions / 10000.0 ** (pairs / d_model)  # (T, ceil(D/2))
    encoding = torch.zeros(seq_len, d_model, dtype=torch.float64)
    encoding[:, 0::2] = torch.sin(angles)
    encoding[:, 1::2] = torch.cos(angles[:, : d_model // 2])
    return encoding.float()
