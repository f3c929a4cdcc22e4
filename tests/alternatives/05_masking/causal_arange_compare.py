# replaces: causal_mask
# alternative: compares broadcast arange indices, rows[:, None] >= cols[None, :]
def causal_mask(seq_len: int) -> torch.Tensor:
    """(seq_len, seq_len) bool mask, True where query i may attend to key j: j <= i."""
    index = torch.arange(seq_len)  # (T,)
    # (T, 1) >= (1, T) -> (T, T)
    return index[:, None] >= index[None, :]
