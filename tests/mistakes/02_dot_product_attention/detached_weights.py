# replaces: scaled_dot_product_attention
# mistake: detaches the weights, so no gradient reaches q and k
def scaled_dot_product_attention(q, k, v, mask=None):
    d_k = q.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1).detach()
    return weights @ v, weights
