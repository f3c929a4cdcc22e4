# replaces: padding_mask
# alternative: torch.lt on an expanded arange, lengths converted with as_tensor and unsqueeze(-1)
def padding_mask(lengths, max_len: int) -> torch.Tensor:
    """(B, max_len) bool, True at the real positions of each sequence.

    The padding is at the end of each sequence.
    """
    lengths = torch.as_tensor(lengths)  # (B,)
    # (max_len,) -> (B, max_len)
    positions = torch.arange(max_len).expand(lengths.shape[0], max_len)
    return torch.lt(positions, lengths.unsqueeze(-1))  # (B, max_len)
