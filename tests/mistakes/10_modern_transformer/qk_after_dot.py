# replaces: qk_norm_attention
# mistake: normalises the logits after the dot product instead of q and k before it
def qk_norm_attention(q, k, v, q_gain, k_gain, mask=None, eps=1e-6):
    logits = (q * q_gain) @ (k * k_gain).transpose(-2, -1)  # (..., Lq, Lk)
    logits = logits / torch.sqrt(logits.pow(2).mean(-1, keepdim=True) + eps)
    if mask is not None:
        logits = logits.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(logits, dim=-1)  # (..., Lq, Lk)
    return weights @ v, weights
