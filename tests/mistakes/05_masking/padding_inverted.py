# replaces: padding_mask
# mistake: True at the padding, like PyTorch's key_padding_mask, instead of True at the real tokens
def padding_mask(lengths, max_len: int) -> torch.Tensor:
    lengths = torch.as_tensor(lengths)
    return torch.arange(max_len).unsqueeze(0) >= lengths.unsqueeze(1)
