# replaces: sinusoidal
# alternative: float64 sines and cosines stacked on a new last axis, flattened to interleave, odd width trimmed
def sinusoidal_positional_encoding(seq_len, d_model):
    pairs = (d_model + 1) // 2
    exponents = 2 * torch.arange(pairs, dtype=torch.float64) / d_model  # (P,)
    # (T, 1) * (1, P) -> (T, P)
    angles = torch.outer(
        torch.arange(seq_len, dtype=torch.float64), 10000.0**-exponents
    )
    # (T, P, 2) -> (T, 2P): sin, cos, sin, cos, ...
    both = torch.stack([angles.sin(), angles.cos()], dim=-1).flatten(-2)
    return both[:, :d_model].float()  # (T, D)
