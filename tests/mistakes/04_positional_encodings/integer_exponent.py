# replaces: sinusoidal
# mistake: integer division in the exponent (2i // d is 0), so every pair has frequency 1
def sinusoidal_positional_encoding(seq_len, d_model):
    positions = torch.arange(seq_len, dtype=torch.float64).unsqueeze(1)  # (T, 1)
    even = torch.arange(0, d_model, 2)  # (ceil(D/2),) integers
    angles = positions / 10000.0 ** (even // d_model)  # (T, ceil(D/2)), all 1
    encoding = torch.zeros(seq_len, d_model, dtype=torch.float64)
    encoding[:, 0::2] = torch.sin(angles)
    encoding[:, 1::2] = torch.cos(angles[:, : d_model // 2])
    return encoding.float()
