# replaces: generate_with_cache
# mistake: runs the whole sequence through the layers at every step, so nothing is cached
def generate_with_cache(model, idx, max_new_tokens, temperature=1.0, top_k=None):
    if idx.shape[1] + max_new_tokens > model.config.block_size:
        raise ValueError("too long for the block size")
    was_training = model.training
    model.eval()
    with torch.no_grad():
        for _ in range(max_new_tokens):
            positions = torch.arange(idx.shape[1])
            x = model.tok_emb(idx) + model.pos_emb(positions)
            for block in model.blocks:
                attended, _ = cached_attention(block.attn, block.ln1(x))
                x = x + attended
                x = x + block.mlp(block.ln2(x))
            logits = model.lm_head(model.ln_f(x[:, -1]))
            idx = torch.cat([idx, sample_next(logits, temperature, top_k)], dim=1)
    model.train(was_training)
    return idx
