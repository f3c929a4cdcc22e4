# replaces: masked_attention
# alternative: masked scores set to the dtype's lowest finite value, then empty rows zeroed explicitly
def masked_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None
):
    """Lesson 02's attention with a boolean mask.

    Query rows whose every key is masked give zeros instead of NaN.
    """
    d_k = q.shape[-1]
    scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d_k)  # (..., Lq, Lk)
    if mask is None:
        weights = scores.softmax(dim=-1)
        return torch.matmul(weights, v), weights
    lowest = torch.finfo(scores.dtype).min
    weights = scores.masked_fill(~mask, lowest).softmax(dim=-1)  # (..., Lq, Lk)
    # an empty row is uniform here (every score is `lowest`): set it to zero
    weights = weights.masked_fill(~mask.any(dim=-1, keepdim=True), 0.0)
    return torch.matmul(weights, v), weights  # (..., Lq, d_v), (..., Lq, Lk)
