# replaces: causal_mask
# alternative: preallocates a False matrix and fills each row's prefix in a loop
def causal_mask(seq_len: int) -> torch.Tensor:
    """(seq_len, seq_len) bool mask, True where query i may attend to key j: j <= i."""
    mask = torch.zeros(seq_len, seq_len, dtype=torch.bool)  # (T, T)
    for i in range(seq_len):
        mask[i, : i + 1] = True
    return mask
