# replaces: linear_attention_step
# mistake: reads the state before adding this position, so a query never sees its own key (0/0 at the first position)
def linear_attention_step(state, q, k, v):
    phi_q, phi_k = F.elu(q) + 1.0, F.elu(k) + 1.0
    if state is None:
        memory = torch.zeros(*k.shape, v.shape[-1], dtype=v.dtype)
        normaliser = torch.zeros_like(phi_k)
    else:
        memory, normaliser = state
    numerator = (phi_q.unsqueeze(-2) @ memory).squeeze(-2)
    out = numerator / (phi_q * normaliser).sum(dim=-1, keepdim=True)
    memory = memory + phi_k.unsqueeze(-1) * v.unsqueeze(-2)
    return out, (memory, normaliser + phi_k)
