# replaces: linear_attention_step
# mistake: writes v phi(k)^T, a (d_v, d_k) memory, and reads it with phi(q) from the other side
def linear_attention_step(state, q, k, v):
    phi_q, phi_k = F.elu(q) + 1.0, F.elu(k) + 1.0
    written = v.unsqueeze(-1) * phi_k.unsqueeze(-2)
    if state is None:
        memory, normaliser = written, phi_k
    else:
        memory, normaliser = state[0] + written, state[1] + phi_k
    numerator = (phi_q.unsqueeze(-2) @ memory.transpose(-2, -1)).squeeze(-2)
    out = numerator / (phi_q * normaliser).sum(dim=-1, keepdim=True)
    return out, (memory, normaliser)
