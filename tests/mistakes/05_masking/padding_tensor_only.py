# replaces: padding_mask
# mistake: indexes lengths as a tensor, so a Python list of lengths raises a TypeError
def padding_mask(lengths, max_len: int) -> torch.Tensor:
    """(B, max_len) bool, True at the real positions of each sequence."""
    return torch.arange(max_len)[None, :] < lengths[:, None]  # (B, max_len)
