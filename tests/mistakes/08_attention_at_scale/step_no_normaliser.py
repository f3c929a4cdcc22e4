# replaces: linear_attention_step
# mistake: returns phi(q) S without dividing by phi(q) . z
def linear_attention_step(state, q, k, v):
    phi_q, phi_k = F.elu(q) + 1.0, F.elu(k) + 1.0
    written = phi_k.unsqueeze(-1) * v.unsqueeze(-2)
    if state is None:
        memory, normaliser = written, phi_k
    else:
        memory, normaliser = state[0] + written, state[1] + phi_k
    out = (phi_q.unsqueeze(-2) @ memory).squeeze(-2)
    return out, (memory, normaliser)
