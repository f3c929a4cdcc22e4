# replaces: qk_norm_attention
# alternative: inline normalisation with rsqrt, einsum for both products
def qk_norm_attention(q, k, v, q_gain, k_gain, mask=None, eps=1e-6):
    q_hat = q * torch.rsqrt(q.pow(2).mean(-1, keepdim=True) + eps) * q_gain
    k_hat = k * torch.rsqrt(k.pow(2).mean(-1, keepdim=True) + eps) * k_gain
    logits = torch.einsum("...qd,...kd->...qk", q_hat, k_hat) / math.sqrt(q.shape[-1])
    if mask is not None:
        logits = logits.masked_fill(mask.logical_not(), float("-inf"))
    weights = torch.softmax(logits, dim=-1)  # (..., Lq, Lk)
    return torch.einsum("...qk,...kv->...qv", weights, v), weights
