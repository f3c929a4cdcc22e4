# replaces: linear_attention
# mistake: uses relu as the feature map instead of elu + 1
def linear_attention(q, k, v):
    phi_q, phi_k = torch.relu(q), torch.relu(k)
    summary = phi_k.transpose(-2, -1) @ v
    normaliser = phi_k.sum(dim=-2)
    return (phi_q @ summary) / (
        (phi_q * normaliser.unsqueeze(-2)).sum(-1, keepdim=True) + 1e-6
    )
