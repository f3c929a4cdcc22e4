# replaces: cached_attention
# alternative: one reshape of the fused projection into (3, B, H, T, D/H); einsum for scores and output; torch.where for the mask
def cached_attention(attn, x, past=None):
    batch, new, width = x.shape
    heads = attn.n_head
    head_dim = width // heads
    # (B, T, 3D) -> (B, T, 3, H, D/H) -> (3, B, H, T, D/H)
    qkv = attn.qkv(x).unflatten(-1, (3, heads, head_dim)).permute(2, 0, 3, 1, 4)
    q, k, v = qkv.unbind(0)
    if past is not None:
        k = torch.cat([past[0], k], dim=2)
        v = torch.cat([past[1], v], dim=2)
    total = k.shape[2]
    scores = torch.einsum("bhqd,bhkd->bhqk", q, k) / math.sqrt(head_dim)
    query_pos = torch.arange(new, device=x.device)[:, None] + (total - new)  # (T, 1)
    key_pos = torch.arange(total, device=x.device)[None, :]  # (1, T_total)
    scores = torch.where(key_pos <= query_pos, scores, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    out = torch.einsum("bhqk,bhkd->bqhd", weights, v)  # (B, T, H, D/H)
    return attn.proj(out.flatten(2)), (k, v)
