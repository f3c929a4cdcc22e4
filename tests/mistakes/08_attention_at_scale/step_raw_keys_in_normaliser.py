# replaces: linear_attention_step
# mistake: adds the raw key k to z instead of phi(k)
def linear_attention_step(state, q, k, v):
    phi_q, phi_k = F.elu(q) + 1.0, F.elu(k) + 1.0
    written = phi_k.unsqueeze(-1) * v.unsqueeze(-2)
    if state is None:
        memory, normaliser = written, k
    else:
        memory, normaliser = state[0] + written, state[1] + k
    numerator = (phi_q.unsqueeze(-2) @ memory).squeeze(-2)
    out = numerator / (phi_q * normaliser).sum(dim=-1, keepdim=True)
    return out, (memory, normaliser)
