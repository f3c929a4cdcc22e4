# replaces: padding_mask
# mistake: compares with <= instead of <, so one padding position per sequence counts as real
def padding_mask(lengths, max_len: int) -> torch.Tensor:
    lengths = torch.as_tensor(lengths)
    return torch.arange(max_len).unsqueeze(0) <= lengths.unsqueeze(1)
