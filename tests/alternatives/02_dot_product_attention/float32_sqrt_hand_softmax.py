# replaces: scaled_dot_product_attention
# alternative: divides by torch.sqrt of a float32 tensor; writes the stable softmax by hand
def scaled_dot_product_attention(q, k, v, mask=None):
    d_k = q.size(-1)
    scores = torch.matmul(q, k.transpose(-1, -2)) / torch.sqrt(
        torch.tensor(d_k, dtype=torch.float32)
    )
    if mask is not None:
        scores = scores.masked_fill(mask == 0, float("-inf"))
    exps = torch.exp(scores - scores.max(dim=-1, keepdim=True).values)
    weights = exps / exps.sum(dim=-1, keepdim=True)
    return torch.matmul(weights, v), weights
