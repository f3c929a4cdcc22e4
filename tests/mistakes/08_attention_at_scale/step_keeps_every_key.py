# replaces: linear_attention_step
# mistake: keeps every past key and value in the state (a KV cache) and recomputes the sums, so the state grows with T
def linear_attention_step(state, q, k, v):
    keys, values = k.unsqueeze(-2), v.unsqueeze(-2)
    if state is not None:
        keys = torch.cat([state[0], keys], dim=-2)
        values = torch.cat([state[1], values], dim=-2)
    phi_q, phi_k = F.elu(q) + 1.0, F.elu(keys) + 1.0
    weights = (phi_k @ phi_q.unsqueeze(-1)).squeeze(-1)
    out = (weights.unsqueeze(-1) * values).sum(-2) / weights.sum(-1, keepdim=True)
    return out, (keys, values)
