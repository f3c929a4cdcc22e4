# replaces: linear_attention
# mistake: forgets the denominator, so the weights do not sum to one
def linear_attention(q, k, v):
    phi_q, phi_k = F.elu(q) + 1.0, F.elu(k) + 1.0
    return phi_q @ (phi_k.transpose(-2, -1) @ v)
