# replaces: sliding_window_mask
# mistake: returns True where attention is blocked (the opposite convention)
def sliding_window_mask(seq_len, window):
    positions = torch.arange(seq_len)
    distance = positions.unsqueeze(1) - positions.unsqueeze(0)
    return ~((distance >= 0) & (distance < window))
