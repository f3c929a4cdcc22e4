# replaces: combine_masks
# mistake: relies on the causal mask to broadcast the query axis: with causal=False the mask stays (B, 1, 1, T)
def combine_masks(lengths, max_len: int, causal: bool = True) -> torch.Tensor:
    mask = padding_mask(lengths, max_len)[:, None, None, :]  # (B, 1, 1, T)
    if causal:
        mask = mask & causal_mask(max_len)  # (B, 1, T, T)
    return mask
