# replaces: causal_mask
# alternative: negates the strict upper triangle, ~torch.triu(ones, diagonal=1)
def causal_mask(seq_len: int) -> torch.Tensor:
    """(seq_len, seq_len) bool mask, True where query i may attend to key j: j <= i."""
    above = torch.triu(torch.ones(seq_len, seq_len, dtype=torch.bool), diagonal=1)
    return ~above  # (T, T)
