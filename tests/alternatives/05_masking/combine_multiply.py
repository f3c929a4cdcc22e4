# replaces: combine_masks
# alternative: multiplies bool masks (an 'and'), unsqueeze for the axes, repeat for the shape
def combine_masks(lengths, max_len: int, causal: bool = True) -> torch.Tensor:
    """(B, 1, max_len, max_len) bool: key padding mask, and causal mask if `causal`."""
    # (B, T) -> (B, 1, 1, T)
    keys = padding_mask(lengths, max_len).unsqueeze(1).unsqueeze(2)
    mask = keys.repeat(1, 1, max_len, 1)  # (B, 1, T, T)
    if causal:
        mask = mask * causal_mask(max_len)  # (B, 1, T, T) * (T, T)
    return mask.bool()
