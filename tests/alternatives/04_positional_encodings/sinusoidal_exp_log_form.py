# replaces: sinusoidal
# alternative: frequencies as exp(-ln(10000) * 2i / d) in float32, written row by row
def sinusoidal_positional_encoding(seq_len, d_model):
    # (ceil(D/2),): exp(2i * -ln(10000) / d) = 10000^(-2i/d)
    frequencies = torch.exp(
        torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model)
    )
    position = torch.arange(0, seq_len).unsqueeze(1).float()  # (T, 1)
    pe = torch.zeros(seq_len, d_model)  # (T, D)
    pe[:, 0::2] = torch.sin(position * frequencies)
    pe[:, 1::2] = torch.cos(position * frequencies)[:, : d_model // 2]
    return pe
