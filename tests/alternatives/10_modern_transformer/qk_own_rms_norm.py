# replaces: qk_norm_attention
# alternative: reuses exercise 1's rms_norm and scales q_hat before the product
def qk_norm_attention(q, k, v, q_gain, k_gain, mask=None, eps=1e-6):
    q_hat = rms_norm(q, q_gain, eps) / q.shape[-1] ** 0.5  # (..., Lq, d)
    k_hat = rms_norm(k, k_gain, eps)  # (..., Lk, d)
    logits = torch.matmul(q_hat, k_hat.transpose(-2, -1))  # (..., Lq, Lk)
    if mask is not None:
        logits = torch.where(mask, logits, torch.finfo(logits.dtype).min)
    weights = logits.softmax(dim=-1)  # (..., Lq, Lk)
    return torch.matmul(weights, v), weights
