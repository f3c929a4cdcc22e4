# replaces: padding_mask
# mistake: puts the padding at the front (left padding) instead of the end
def padding_mask(lengths, max_len: int) -> torch.Tensor:
    lengths = torch.as_tensor(lengths)
    positions = torch.arange(max_len)
    return positions.unsqueeze(0) >= (max_len - lengths).unsqueeze(1)
