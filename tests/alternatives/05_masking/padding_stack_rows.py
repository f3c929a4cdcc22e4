# replaces: padding_mask
# alternative: builds one row per sequence by concatenating ones and zeros, then torch.stack
def padding_mask(lengths, max_len: int) -> torch.Tensor:
    """(B, max_len) bool, True at the real positions of each sequence.

    The padding is at the end of each sequence.
    """
    rows = []
    for n in torch.as_tensor(lengths).tolist():
        real = torch.ones(n, dtype=torch.bool)  # (n,)
        pad = torch.zeros(max_len - n, dtype=torch.bool)  # (max_len - n,)
        rows.append(torch.cat([real, pad]))  # (max_len,)
    return torch.stack(rows)  # (B, max_len)
