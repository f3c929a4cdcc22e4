# replaces: generate_with_cache
# mistake: calls lesson 07's generate (the full model forward every step) instead of caching
def generate_with_cache(model, idx, max_new_tokens, temperature=1.0, top_k=None):
    if idx.shape[1] + max_new_tokens > model.config.block_size:
        raise ValueError("too long for the block size")
    return generate(model, idx, max_new_tokens, temperature=temperature, top_k=top_k)
