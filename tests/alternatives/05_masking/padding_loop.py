# replaces: padding_mask
# alternative: preallocates the mask and fills each row's real prefix in a Python loop
def padding_mask(lengths, max_len: int) -> torch.Tensor:
    """(B, max_len) bool, True at the real positions of each sequence.

    The padding is at the end of each sequence.
    """
    lengths = [int(n) for n in lengths]
    mask = torch.zeros(len(lengths), max_len, dtype=torch.bool)  # (B, max_len)
    for row, n in enumerate(lengths):
        mask[row, :n] = True
    return mask
