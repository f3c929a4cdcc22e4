# replaces: sinusoidal
# alternative: one float32 angle per column (pairs share it), sin or cos chosen by torch.where
def sinusoidal_positional_encoding(seq_len, d_model):
    columns = torch.arange(d_model)  # (D,)
    pair_start = (columns - columns % 2).float()  # (D,): 2i for both members
    # (T, 1) * (1, D) -> (T, D)
    angles = (
        torch.arange(seq_len).float()[:, None]
        * torch.pow(10000.0, -pair_start / d_model)[None, :]
    )
    return torch.where(columns % 2 == 0, torch.sin(angles), torch.cos(angles))
