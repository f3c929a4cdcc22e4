# replaces: scaled_dot_product_attention
# alternative: turns the mask into an additive bias (0 or -inf) and adds it to the scores
def scaled_dot_product_attention(q, k, v, mask=None):
    scale = 1.0 / math.sqrt(k.shape[-1])
    scores = (q @ k.transpose(-2, -1)) * scale  # (..., Lq, Lk)
    if mask is not None:
        bias = torch.zeros(mask.shape, dtype=scores.dtype, device=scores.device)
        bias = bias.masked_fill(~mask, float("-inf"))  # 0 where allowed, -inf elsewhere
        scores = scores + bias
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
