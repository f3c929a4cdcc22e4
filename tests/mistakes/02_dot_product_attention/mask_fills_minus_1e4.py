# replaces: scaled_dot_product_attention
# mistake: fills masked scores with -10000 (an old habit) instead of -inf, so a masked key still wins when every allowed score is lower
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, -1e4)
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
