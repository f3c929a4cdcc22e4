# replaces: masked_attention
# mistake: guards the output of fully masked rows but returns the weights of the all-allowed stand-in row
def masked_attention(q, k, v, mask=None):
    if mask is None:
        return scaled_dot_product_attention(q, k, v)
    has_key = mask.any(dim=-1, keepdim=True)
    output, weights = scaled_dot_product_attention(q, k, v, mask | ~has_key)
    return torch.where(has_key, output, 0.0), weights
