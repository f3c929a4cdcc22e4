# replaces: linear_attention
# alternative: a column of ones appended to v carries the normaliser through the same products
def linear_attention(q, k, v):
    phi_q, phi_k = F.elu(q) + 1, F.elu(k) + 1
    ones = torch.ones(*v.shape[:-1], 1, dtype=v.dtype, device=v.device)
    v_plus = torch.cat([v, ones], dim=-1)  # (..., Lk, d_v + 1)
    both = phi_q @ (phi_k.transpose(-2, -1) @ v_plus)  # (..., Lq, d_v + 1)
    return both[..., :-1] / both[..., -1:]
