# replaces: sinusoidal
# mistake: concatenates all the sines then all the cosines instead of interleaving them
def sinusoidal_positional_encoding(seq_len, d_model):
    positions = torch.arange(seq_len, dtype=torch.float64).unsqueeze(1)  # (T, 1)
    angles = positions / 10000.0 ** (
        torch.arange(0, d_model, 2, dtype=torch.float64) / d_model
    )  # (T, ceil(D/2))
    encoding = torch.cat(
        [torch.sin(angles), torch.cos(angles)], dim=-1
    )  # (T, 2*ceil(D/2))
    return encoding[:, :d_model].float()
