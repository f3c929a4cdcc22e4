# replaces: generate_with_cache
# mistake: replaces x by the feed-forward output instead of adding it (no residual)
def generate_with_cache(model, idx, max_new_tokens, temperature=1.0, top_k=None):
    if idx.shape[1] + max_new_tokens > model.config.block_size:
        raise ValueError("too long for the block size")
    was_training = model.training
    model.eval()
    caches = [None] * len(model.blocks)
    step_input, start = idx, 0
    with torch.no_grad():
        for _ in range(max_new_tokens):
            positions = torch.arange(start, start + step_input.shape[1])
            x = model.tok_emb(step_input) + model.pos_emb(positions)
            for i, block in enumerate(model.blocks):
                attended, caches[i] = cached_attention(
                    block.attn, block.ln1(x), caches[i]
                )
                x = x + attended
                x = block.mlp(block.ln2(x))
            logits = model.lm_head(model.ln_f(x[:, -1]))
            following = sample_next(logits, temperature, top_k)
            idx = torch.cat([idx, following], dim=1)
            start += step_input.shape[1]
            step_input = following
    model.train(was_training)
    return idx
