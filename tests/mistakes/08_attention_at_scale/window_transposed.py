# replaces: sliding_window_mask
# mistake: builds the band above the diagonal (j >= i), rows and columns swapped
def sliding_window_mask(seq_len, window):
    positions = torch.arange(seq_len)
    distance = positions.unsqueeze(0) - positions.unsqueeze(1)
    return (distance >= 0) & (distance < window)
