# replaces: cached_attention
# mistake: hands the work to F.scaled_dot_product_attention with is_causal=True
def cached_attention(attn, x, past=None):
    batch, length, width = x.shape
    heads, head_dim = attn.n_head, width // attn.n_head
    q, k, v = attn.qkv(x).split(width, dim=-1)
    q = q.view(batch, length, heads, head_dim).transpose(1, 2)
    k = k.view(batch, length, heads, head_dim).transpose(1, 2)
    v = v.view(batch, length, heads, head_dim).transpose(1, 2)
    if past is not None:
        k = torch.cat([past[0], k], dim=2)
        v = torch.cat([past[1], v], dim=2)
    out = F.scaled_dot_product_attention(q, k, v, is_causal=past is None)
    out = out.transpose(1, 2).reshape(batch, length, width)
    return attn.proj(out), (k, v)
