# replaces: generate_with_cache
# alternative: the caches kept in a dict by block, positions taken from the cache length, torch.inference_mode
def generate_with_cache(model, idx, max_new_tokens, temperature=1.0, top_k=None):
    total = idx.shape[1] + max_new_tokens
    if total > model.config.block_size:
        raise ValueError(
            f"{total} tokens do not fit in block_size={model.config.block_size}"
        )
    training = model.training
    model.train(False)
    cache = {}
    tokens = idx.clone()
    pending = idx
    try:
        with torch.inference_mode():
            while tokens.shape[1] < total:
                seen = 0 if not cache else cache[0][0].shape[2]
                where = torch.arange(seen, seen + pending.shape[1], device=idx.device)
                x = model.tok_emb(pending) + model.pos_emb(where)[None]
                for i, block in enumerate(model.blocks):
                    y, cache[i] = cached_attention(
                        block.attn, block.ln1(x), cache.get(i)
                    )
                    x = x + y
                    x = x + block.mlp(block.ln2(x))
                logits = model.lm_head(model.ln_f(x))[:, -1]
                pending = sample_next(logits, temperature=temperature, top_k=top_k)
                tokens = torch.cat((tokens, pending), dim=1)
    finally:
        model.train(training)
    return tokens
