# replaces: scaled_dot_product_attention
# alternative: computes in float64 whatever the inputs are, and casts the results back to q's dtype
def scaled_dot_product_attention(q, k, v, mask=None):
    q64, k64, v64 = q.double(), k.double(), v.double()
    scores = q64 @ k64.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return (weights @ v64).to(q.dtype), weights.to(q.dtype)
