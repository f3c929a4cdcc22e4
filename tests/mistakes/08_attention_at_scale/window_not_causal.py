# replaces: sliding_window_mask
# mistake: makes a symmetric band |i - j| < window, so tokens see the future
def sliding_window_mask(seq_len, window):
    positions = torch.arange(seq_len)
    distance = positions.unsqueeze(1) - positions.unsqueeze(0)
    return distance.abs() < window
