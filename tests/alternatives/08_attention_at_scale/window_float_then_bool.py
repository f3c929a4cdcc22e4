# replaces: sliding_window_mask
# alternative: float triangles subtracted, then compared to give a bool mask
def sliding_window_mask(seq_len, window):
    full = torch.ones(seq_len, seq_len)
    band = torch.tril(full) - torch.tril(full, diagonal=-window)  # 1 inside the band
    return band > 0.5
