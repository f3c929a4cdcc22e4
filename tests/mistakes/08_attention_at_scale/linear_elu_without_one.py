# replaces: linear_attention
# mistake: forgets the + 1, so the features can be negative
def linear_attention(q, k, v):
    phi_q, phi_k = F.elu(q), F.elu(k)
    summary = phi_k.transpose(-2, -1) @ v
    normaliser = phi_k.sum(dim=-2)
    return (phi_q @ summary) / (phi_q * normaliser.unsqueeze(-2)).sum(-1, keepdim=True)
