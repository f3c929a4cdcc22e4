# replaces: linear_attention
# alternative: einsum throughout; phi written as torch.where(x > 0, x + 1, exp(x))
def linear_attention(q, k, v):
    phi_q = torch.where(q > 0, q + 1, torch.exp(q))  # elu(x) + 1
    phi_k = torch.where(k > 0, k + 1, torch.exp(k))
    kv = torch.einsum("...nd,...ne->...de", phi_k, v)  # (..., d_k, d_v)
    z = torch.einsum("...ld,...d->...l", phi_q, phi_k.sum(dim=-2))  # (..., Lq)
    return torch.einsum("...ld,...de->...le", phi_q, kv) / z.unsqueeze(-1)
