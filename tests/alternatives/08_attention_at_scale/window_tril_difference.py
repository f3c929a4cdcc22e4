# replaces: sliding_window_mask
# alternative: the causal triangle minus the triangle that lies window or more below the diagonal
def sliding_window_mask(seq_len, window):
    ones = torch.ones(seq_len, seq_len, dtype=torch.bool)
    return torch.tril(ones) & ~torch.tril(ones, diagonal=-window)
