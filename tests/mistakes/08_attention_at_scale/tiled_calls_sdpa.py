# replaces: tiled_attention
# mistake: hands the work to F.scaled_dot_product_attention, which the exercise asks you to write
def tiled_attention(q, k, v, tile_size, causal=False):
    return F.scaled_dot_product_attention(q, k, v, is_causal=causal)
