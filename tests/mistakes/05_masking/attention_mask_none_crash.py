# replaces: masked_attention
# mistake: forgets the mask=None case and calls mask.any on None
def masked_attention(q, k, v, mask=None):
    has_key = mask.any(dim=-1, keepdim=True)
    output, weights = scaled_dot_product_attention(q, k, v, mask | ~has_key)
    zero = torch.zeros((), dtype=output.dtype)
    return torch.where(has_key, output, zero), torch.where(has_key, weights, zero)
