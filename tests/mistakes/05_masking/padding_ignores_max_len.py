# replaces: padding_mask
# mistake: sizes the mask by the longest length in the batch instead of max_len
def padding_mask(lengths, max_len: int) -> torch.Tensor:
    lengths = torch.as_tensor(lengths)
    return torch.arange(int(lengths.max())).unsqueeze(0) < lengths.unsqueeze(1)
