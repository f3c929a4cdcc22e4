# replaces: linear_attention
# mistake: sums phi(k) over the features instead of over the keys
def linear_attention(q, k, v):
    phi_q, phi_k = F.elu(q) + 1.0, F.elu(k) + 1.0
    summary = phi_k.transpose(-2, -1) @ v
    normaliser = phi_k.sum(dim=-1)
    return (phi_q @ summary) / normaliser.sum(-1, keepdim=True).unsqueeze(-1)
