# replaces: masked_attention
# mistake: passes the mask inverted (True = blocked, PyTorch's nn.MultiheadAttention convention)
def masked_attention(q, k, v, mask=None):
    if mask is None:
        return scaled_dot_product_attention(q, k, v)
    flipped = ~mask
    has_key = flipped.any(dim=-1, keepdim=True)
    output, weights = scaled_dot_product_attention(q, k, v, flipped | ~has_key)
    return torch.where(has_key, output, 0.0), torch.where(has_key, weights, 0.0)
