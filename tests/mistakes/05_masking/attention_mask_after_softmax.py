# replaces: masked_attention
# mistake: multiplies the weights by the mask after the softmax, so the rows no longer sum to 1
def masked_attention(q, k, v, mask=None):
    _, weights = scaled_dot_product_attention(q, k, v)
    if mask is not None:
        weights = weights * mask
    return weights @ v, weights
