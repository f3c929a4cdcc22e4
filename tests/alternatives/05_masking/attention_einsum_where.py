# replaces: masked_attention
# alternative: writes the attention out with einsum; empty rows allowed every key, zeroed by torch.where
def masked_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None
):
    """Lesson 02's attention with a boolean mask.

    Query rows whose every key is masked give zeros instead of NaN.
    """
    # (..., Lq, d_k), (..., Lk, d_k) -> (..., Lq, Lk)
    scores = torch.einsum("...qd,...kd->...qk", q, k) / math.sqrt(q.shape[-1])
    if mask is None:
        weights = torch.softmax(scores, dim=-1)
        return torch.einsum("...qk,...kv->...qv", weights, v), weights
    has_key = mask.any(dim=-1, keepdim=True)  # (..., Lq, 1)
    allowed = torch.where(has_key, mask, torch.ones_like(mask))
    weights = torch.softmax(scores.masked_fill(~allowed, float("-inf")), dim=-1)
    weights = torch.where(has_key, weights, torch.zeros_like(weights))  # (..., Lq, Lk)
    # (..., Lq, Lk), (..., Lk, d_v) -> (..., Lq, d_v)
    return torch.einsum("...qk,...kv->...qv", weights, v), weights
