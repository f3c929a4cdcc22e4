# replaces: linear_attention
# mistake: uses a softmax over the features as phi (still linear, but not the formula asked)
def linear_attention(q, k, v):
    phi_q, phi_k = torch.softmax(q, dim=-1), torch.softmax(k, dim=-1)
    summary = phi_k.transpose(-2, -1) @ v
    normaliser = phi_k.sum(dim=-2)
    return (phi_q @ summary) / (phi_q * normaliser.unsqueeze(-2)).sum(-1, keepdim=True)
