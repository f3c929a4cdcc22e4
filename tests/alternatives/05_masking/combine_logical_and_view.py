# replaces: combine_masks
# alternative: torch.logical_and and view for the head and query axes, result made contiguous
def combine_masks(lengths, max_len: int, causal: bool = True) -> torch.Tensor:
    """(B, 1, max_len, max_len) bool: key padding mask, and causal mask if `causal`."""
    keys = padding_mask(lengths, max_len)  # (B, T)
    batch = keys.shape[0]
    keys = keys.view(batch, 1, 1, max_len)  # (B, T) -> (B, 1, 1, T)
    allowed = torch.ones(max_len, max_len, dtype=torch.bool)  # (T, T)
    if causal:
        allowed = causal_mask(max_len)
    # (B, 1, 1, T) and (T, T) -> (B, 1, T, T)
    return torch.logical_and(keys, allowed).contiguous()
