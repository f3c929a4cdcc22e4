# replaces: qk_norm_attention
# alternative: unit vectors times sqrt(d), and an explicit max-subtracted softmax
def qk_norm_attention(q, k, v, q_gain, k_gain, mask=None, eps=1e-6):
    d = q.shape[-1]
    q_hat = q / torch.sqrt(q.pow(2).sum(-1, keepdim=True) / d + eps) * q_gain
    k_hat = k / torch.sqrt(k.pow(2).sum(-1, keepdim=True) / d + eps) * k_gain
    logits = q_hat @ k_hat.transpose(-2, -1) / math.sqrt(d)  # (..., Lq, Lk)
    if mask is not None:
        logits = logits.masked_fill(~mask, float("-inf"))
    exps = torch.exp(logits - logits.amax(dim=-1, keepdim=True))  # (..., Lq, Lk)
    weights = exps / exps.sum(dim=-1, keepdim=True)
    return weights @ v, weights
