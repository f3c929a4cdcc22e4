# replaces: combine_masks
# alternative: one (T, T) mask per sequence in a loop, then torch.stack and unsqueeze
def combine_masks(lengths, max_len: int, causal: bool = True) -> torch.Tensor:
    """(B, 1, max_len, max_len) bool: key padding mask, and causal mask if `causal`."""
    per_sequence = []
    for keys in padding_mask(lengths, max_len):  # (T,) per sequence
        mask = keys.expand(max_len, max_len)  # (T,) -> (T, T): same keys per query
        if causal:
            mask = mask & causal_mask(max_len)
        per_sequence.append(mask)
    return torch.stack(per_sequence).unsqueeze(1)  # (B, T, T) -> (B, 1, T, T)
