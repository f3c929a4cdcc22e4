# replaces: sinusoidal
# alternative: angles computed in float32 throughout, division by 10000^(2i/d)
def sinusoidal_positional_encoding(seq_len, d_model):
    positions = torch.arange(seq_len, dtype=torch.float32).unsqueeze(1)  # (T, 1)
    even_columns = torch.arange(0, d_model, 2, dtype=torch.float32)  # (ceil(D/2),)
    angles = positions / 10000.0 ** (even_columns / d_model)  # (T, ceil(D/2))
    table = torch.zeros(seq_len, d_model)  # (T, D)
    table[:, 0::2] = torch.sin(angles)
    table[:, 1::2] = torch.cos(angles[:, : d_model // 2])
    return table
