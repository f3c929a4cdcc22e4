# replaces: combine_masks
# mistake: always applies the causal mask, whatever `causal` says
def combine_masks(lengths, max_len: int, causal: bool = True) -> torch.Tensor:
    mask = padding_mask(lengths, max_len)[:, None, None, :] & causal_mask(max_len)
    return mask
