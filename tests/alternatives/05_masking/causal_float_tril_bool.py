# replaces: causal_mask
# alternative: float ones, tril, then converted to bool at the end
def causal_mask(seq_len: int) -> torch.Tensor:
    """(seq_len, seq_len) bool mask, True where query i may attend to key j: j <= i."""
    return torch.ones(seq_len, seq_len).tril().bool()  # (T, T)
