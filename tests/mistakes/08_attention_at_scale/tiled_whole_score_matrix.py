# replaces: tiled_attention
# mistake: computes all the scores at once and only splits the weighted sum into tiles, so the (Lq, Lk) matrix is formed
def tiled_attention(q, k, v, tile_size, causal=False):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if causal:
        allowed = torch.ones(scores.shape[-2:], dtype=torch.bool).tril()
        scores = scores.masked_fill(~allowed, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    out = torch.zeros(q.shape[:-1] + (v.shape[-1],), dtype=q.dtype)
    for start in range(0, k.shape[-2], tile_size):
        stop = start + tile_size
        out = out + weights[..., start:stop] @ v[..., start:stop, :]
    return out
