# replaces: linear_attention_step
# alternative: a zero state when there is none, the outer product and the read-out with einsum
def linear_attention_step(state, q, k, v):
    phi_q = F.elu(q) + 1
    phi_k = F.elu(k) + 1
    if state is None:
        shape = (*k.shape, v.shape[-1])
        state = (
            torch.zeros(shape, dtype=v.dtype, device=v.device),
            torch.zeros_like(phi_k),
        )
    S = state[0] + torch.einsum("...k,...v->...kv", phi_k, v)
    z = state[1] + phi_k
    out = torch.einsum("...k,...kv->...v", phi_q, S)
    out = out / torch.einsum("...k,...k->...", phi_q, z).unsqueeze(-1)
    return out, (S, z)
