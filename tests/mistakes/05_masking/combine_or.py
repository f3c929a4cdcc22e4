# replaces: combine_masks
# mistake: combines the masks with | instead of &, so padding stays visible to the past-only queries
def combine_masks(lengths, max_len: int, causal: bool = True) -> torch.Tensor:
    mask = padding_mask(lengths, max_len)[:, None, None, :]
    if causal:
        mask = mask | causal_mask(max_len)
    return mask.expand(-1, 1, max_len, max_len)
