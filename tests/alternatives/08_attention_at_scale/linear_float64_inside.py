# replaces: linear_attention
# alternative: computed in float64 and cast back to the inputs' dtype; the normaliser as a matrix-vector product
def linear_attention(q, k, v):
    dtype = q.dtype
    phi_q = F.elu(q.double()) + 1  # (..., Lq, d_k)
    phi_k = F.elu(k.double()) + 1  # (..., Lk, d_k)
    kv = phi_k.mT @ v.double()  # (..., d_k, d_v)
    z = phi_q @ phi_k.sum(-2).unsqueeze(-1)  # (..., Lq, 1)
    return ((phi_q @ kv) / z).to(dtype)
