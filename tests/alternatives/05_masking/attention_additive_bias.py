# replaces: masked_attention
# alternative: an additive bias of 0 / -inf (0 on empty rows), weights multiplied by a 0/1 row flag
def masked_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None
):
    """Lesson 02's attention with a boolean mask.

    Query rows whose every key is masked give zeros instead of NaN.
    """
    scores = q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5  # (..., Lq, Lk)
    if mask is not None:
        has_key = mask.any(dim=-1, keepdim=True)  # (..., Lq, 1)
        blocked = ~mask & has_key  # empty rows block nothing
        bias = torch.zeros(blocked.shape, dtype=scores.dtype)
        scores = scores + bias.masked_fill(blocked, float("-inf"))
        weights = torch.softmax(scores, dim=-1) * has_key.to(scores.dtype)
    else:
        weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights  # (..., Lq, d_v), (..., Lq, Lk)
