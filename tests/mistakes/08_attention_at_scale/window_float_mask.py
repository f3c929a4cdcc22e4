# replaces: sliding_window_mask
# mistake: returns a float 0/1 mask instead of a boolean one
def sliding_window_mask(seq_len, window):
    positions = torch.arange(seq_len)
    distance = positions.unsqueeze(1) - positions.unsqueeze(0)
    return ((distance >= 0) & (distance < window)).float()
