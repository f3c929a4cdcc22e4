# replaces: linear_attention
# mistake: computes phi(q) phi(k)^T first, building the (Lq, Lk) matrix it was meant to avoid
def linear_attention(q, k, v):
    phi_q, phi_k = F.elu(q) + 1.0, F.elu(k) + 1.0
    similarity = phi_q @ phi_k.transpose(-2, -1)
    return similarity @ v / similarity.sum(-1, keepdim=True)
