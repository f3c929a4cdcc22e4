# replaces: scaled_dot_product_attention
# alternative: broadcasts the batch dimensions, flattens them and uses torch.bmm, then unflattens
def scaled_dot_product_attention(q, k, v, mask=None):
    batch = torch.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    q = q.expand(*batch, *q.shape[-2:]).reshape(-1, *q.shape[-2:])  # (N, Lq, d_k)
    k = k.expand(*batch, *k.shape[-2:]).reshape(-1, *k.shape[-2:])  # (N, Lk, d_k)
    v = v.expand(*batch, *v.shape[-2:]).reshape(-1, *v.shape[-2:])  # (N, Lk, d_v)
    scores = torch.bmm(q, k.transpose(1, 2)) / math.sqrt(q.shape[-1])  # (N, Lq, Lk)
    scores = scores.reshape(*batch, *scores.shape[-2:])  # (..., Lq, Lk)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)  # (..., Lq, Lk)
    flat = weights.reshape(-1, *weights.shape[-2:])  # (N, Lq, Lk)
    output = torch.bmm(flat, v).reshape(*batch, weights.shape[-2], v.shape[-1])
    return output, weights  # (..., Lq, d_v), (..., Lq, Lk)
