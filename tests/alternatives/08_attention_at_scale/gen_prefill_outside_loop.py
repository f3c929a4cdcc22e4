# replaces: generate_with_cache
# alternative: the prefill before the loop, then max_new_tokens - 1 steps of one token; logits of every new position, the last kept
@torch.no_grad()
def generate_with_cache(model, idx, max_new_tokens, temperature=1.0, top_k=None):
    if idx.size(1) + max_new_tokens > model.config.block_size:
        raise ValueError("the prompt and the new tokens do not fit in block_size")
    mode = model.training
    model.eval()

    def run(tokens, start, caches):
        pos = torch.arange(start, start + tokens.size(1), device=tokens.device)
        h = model.tok_emb(tokens) + model.pos_emb(pos)  # (B, T_new, D)
        new_caches = []
        for block, cache in zip(model.blocks, caches):
            a, cache = cached_attention(block.attn, block.ln1(h), cache)
            h = h + a
            h = h + block.mlp(block.ln2(h))
            new_caches.append(cache)
        return model.lm_head(model.ln_f(h)), new_caches  # (B, T_new, V)

    try:
        if max_new_tokens == 0:
            return idx
        logits, caches = run(idx, 0, [None] * len(model.blocks))
        out = [idx]
        token = sample_next(logits[:, -1], temperature, top_k)  # (B, 1)
        out.append(token)
        for step in range(1, max_new_tokens):
            logits, caches = run(token, idx.size(1) + step - 1, caches)
            token = sample_next(logits[:, -1], temperature, top_k)
            out.append(token)
        return torch.cat(out, dim=1)
    finally:
        model.train(mode)
