# replaces: padding_mask
# mistake: treats the length as the last index, so the last real token of each sequence is masked
def padding_mask(lengths, max_len: int) -> torch.Tensor:
    lengths = torch.as_tensor(lengths)
    return torch.arange(max_len).unsqueeze(0) < (lengths - 1).unsqueeze(1)
