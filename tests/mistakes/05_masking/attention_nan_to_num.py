# replaces: masked_attention
# mistake: replaces NaN by 0 after the fact: the forward pass is clean, the gradients are still NaN
def masked_attention(q, k, v, mask=None):
    output, weights = scaled_dot_product_attention(q, k, v, mask)
    return torch.nan_to_num(output), torch.nan_to_num(weights)
