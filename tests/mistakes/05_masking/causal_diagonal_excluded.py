# replaces: causal_mask
# mistake: excludes the diagonal (tril(-1)), so a token cannot attend to itself and row 0 is empty
def causal_mask(seq_len: int) -> torch.Tensor:
    return torch.ones(seq_len, seq_len, dtype=torch.bool).tril(-1)
