# replaces: generate_with_cache
# alternative: preallocated (B, H, block_size, D/H) caches written in place; its own attention with F.linear on slices of qkv
def generate_with_cache(model, idx, max_new_tokens, temperature=1.0, top_k=None):
    config = model.config
    if idx.shape[1] + max_new_tokens > config.block_size:
        raise ValueError("idx.shape[1] + max_new_tokens > block_size")
    B, D, H = idx.shape[0], config.d_model, config.n_head
    d = D // H
    dtype = model.tok_emb.weight.dtype
    keys = [torch.zeros(B, H, config.block_size, d, dtype=dtype) for _ in model.blocks]
    values = [torch.zeros_like(kc) for kc in keys]
    was_training = model.training
    model.eval()
    out, feed, start = idx, idx, 0
    with torch.no_grad():
        for _ in range(max_new_tokens):
            T = feed.shape[1]
            end = start + T
            x = model.tok_emb(feed) + model.pos_emb.weight[start:end]  # (B, T, D)
            for layer, block in enumerate(model.blocks):
                h = block.ln1(x)
                W, b = block.attn.qkv.weight, block.attn.qkv.bias
                q, k, v = (
                    F.linear(h, W[i * D : (i + 1) * D], b[i * D : (i + 1) * D])
                    .view(B, T, H, d)
                    .transpose(1, 2)  # (B, H, T, D/H)
                    for i in range(3)
                )
                keys[layer][:, :, start:end] = k
                values[layer][:, :, start:end] = v
                k_all = keys[layer][:, :, :end]  # (B, H, end, D/H)
                v_all = values[layer][:, :, :end]
                s = q @ k_all.transpose(-2, -1) / math.sqrt(d)  # (B, H, T, end)
                rows = torch.arange(start, end).view(T, 1)
                cols = torch.arange(end).view(1, end)
                s = s.masked_fill(cols > rows, -math.inf)
                a = (s.softmax(-1) @ v_all).transpose(1, 2).reshape(B, T, D)
                x = x + block.attn.proj(a)
                x = x + block.mlp(block.ln2(x))
            logits = model.lm_head(model.ln_f(x[:, -1, :]))  # (B, V)
            nxt = sample_next(logits, temperature, top_k)
            out = torch.cat([out, nxt], dim=1)
            feed, start = nxt, end
    model.train(was_training)
    return out
