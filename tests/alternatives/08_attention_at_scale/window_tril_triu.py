# replaces: sliding_window_mask
# alternative: tril then triu: the band between the diagonal and window - 1 below it
def sliding_window_mask(seq_len, window):
    return torch.ones(seq_len, seq_len, dtype=torch.bool).tril().triu(1 - window)
