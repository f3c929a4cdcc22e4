# replaces: sliding_window_mask
# mistake: leaves out the token itself: 0 < i - j <= window
def sliding_window_mask(seq_len, window):
    positions = torch.arange(seq_len)
    distance = positions.unsqueeze(1) - positions.unsqueeze(0)
    return (distance > 0) & (distance <= window)
