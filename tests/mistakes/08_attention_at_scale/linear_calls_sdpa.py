# replaces: linear_attention
# mistake: calls softmax attention through the fused kernel instead of writing linear attention
def linear_attention(q, k, v):
    return F.scaled_dot_product_attention(q, k, v)
