# replaces: tiled_attention
# mistake: raises the running maximum but never rescales what was summed before, so earlier tiles keep weights taken against an older maximum
def tiled_attention(q, k, v, tile_size, causal=False):
    scale = 1.0 / math.sqrt(q.shape[-1])
    m = torch.full(q.shape[:-1] + (1,), float("-inf"), dtype=q.dtype)
    denominator = torch.zeros_like(m)
    numerator = torch.zeros(q.shape[:-1] + (v.shape[-1],), dtype=q.dtype)
    rows = torch.arange(q.shape[-2]).unsqueeze(1)
    for start in range(0, k.shape[-2], tile_size):
        k_tile = k[..., start : start + tile_size, :]
        v_tile = v[..., start : start + tile_size, :]
        s = q @ k_tile.transpose(-2, -1) * scale
        if causal:
            cols = torch.arange(start, start + k_tile.shape[-2]).unsqueeze(0)
            s = s.masked_fill(cols > rows, float("-inf"))
        m = torch.maximum(m, s.amax(-1, keepdim=True))
        p = torch.exp(s - m)
        denominator = denominator + p.sum(-1, keepdim=True)
        numerator = numerator + p @ v_tile
    return numerator / denominator
