# replaces: qk_norm_attention
# mistake: drops the division by sqrt(d), thinking the norm makes it unnecessary
def qk_norm_attention(q, k, v, q_gain, k_gain, mask=None, eps=1e-6):
    q_hat = q / torch.sqrt(q.pow(2).mean(-1, keepdim=True) + eps) * q_gain
    k_hat = k / torch.sqrt(k.pow(2).mean(-1, keepdim=True) + eps) * k_gain
    logits = q_hat @ k_hat.transpose(-2, -1)  # (..., Lq, Lk)
    if mask is not None:
        logits = logits.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(logits, dim=-1)  # (..., Lq, Lk)
    return weights @ v, weights
