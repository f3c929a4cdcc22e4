# replaces: padding_mask
# mistake: broadcasts the other way round and returns (max_len, B)
def padding_mask(lengths, max_len: int) -> torch.Tensor:
    lengths = torch.as_tensor(lengths)
    return torch.arange(max_len).unsqueeze(1) < lengths.unsqueeze(0)
