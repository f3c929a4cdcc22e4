# replaces: padding_mask
# alternative: torch.tensor for lists, None-indexing, lengths on the left of the comparison
def padding_mask(lengths, max_len: int) -> torch.Tensor:
    """(B, max_len) bool, True at the real positions of each sequence.

    The padding is at the end of each sequence.
    """
    if not isinstance(lengths, torch.Tensor):
        lengths = torch.tensor(lengths, dtype=torch.long)  # (B,)
    # (B, 1) > (1, max_len) -> (B, max_len)
    return lengths[:, None] > torch.arange(max_len)[None, :]
