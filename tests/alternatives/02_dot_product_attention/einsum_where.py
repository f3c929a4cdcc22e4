# replaces: scaled_dot_product_attention
# alternative: einsum for both products; torch.where for the mask; scale as d_k ** -0.5
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = torch.einsum("...qd,...kd->...qk", q, k) * q.shape[-1] ** -0.5
    if mask is not None:
        scores = torch.where(mask, scores, torch.full_like(scores, float("-inf")))
    weights = scores.softmax(dim=-1)  # (..., Lq, Lk)
    return torch.einsum("...qk,...kv->...qv", weights, v), weights
