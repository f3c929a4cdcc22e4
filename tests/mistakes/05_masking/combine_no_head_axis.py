# replaces: combine_masks
# mistake: returns (B, T, T) without the head axis, so it does not broadcast against (B, H, T, T) scores
def combine_masks(lengths, max_len: int, causal: bool = True) -> torch.Tensor:
    mask = padding_mask(lengths, max_len)[:, None, :]
    if causal:
        mask = mask & causal_mask(max_len)
    return mask.expand(-1, max_len, max_len)
