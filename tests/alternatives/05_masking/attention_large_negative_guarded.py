# replaces: masked_attention
# alternative: masked scores filled with -1e9 instead of -inf (exp underflows to exactly 0), empty rows zeroed
def masked_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None
):
    """Lesson 02's attention with a boolean mask.

    Query rows whose every key is masked give zeros instead of NaN.
    """
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., Lq, Lk)
    if mask is None:
        weights = torch.softmax(scores, dim=-1)  # (..., Lq, Lk)
        return weights @ v, weights
    weights = torch.softmax(scores.masked_fill(~mask, -1e9), dim=-1)  # (..., Lq, Lk)
    row_has_key = mask.any(dim=-1, keepdim=True)  # (..., Lq, 1)
    weights = weights * row_has_key  # a fully masked row was uniform: now 0
    return weights @ v, weights  # (..., Lq, d_v), (..., Lq, Lk)
