# replaces: scaled_dot_product_attention
# mistake: calls the built-in for the output and computes only the weights by hand
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask), weights
