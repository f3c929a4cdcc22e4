# replaces: tiled_attention
# mistake: weighs each tile against its own maximum instead of the running one: right in exact arithmetic, but exp(m_old - m_tile) overflows after a tile with much larger scores, and a causal tile wholly masked for a query gives NaN
def tiled_attention(q, k, v, tile_size, causal=False):
    scale = 1.0 / math.sqrt(q.shape[-1])
    m = None
    rows = torch.arange(q.shape[-2]).unsqueeze(1)
    for start in range(0, k.shape[-2], tile_size):
        k_tile = k[..., start : start + tile_size, :]
        v_tile = v[..., start : start + tile_size, :]
        s = q @ k_tile.transpose(-2, -1) * scale
        if causal:
            cols = torch.arange(start, start + k_tile.shape[-2]).unsqueeze(0)
            s = s.masked_fill(cols > rows, float("-inf"))
        m_tile = s.amax(-1, keepdim=True)
        p = torch.exp(s - m_tile)
        if m is None:
            denominator, numerator = p.sum(-1, keepdim=True), p @ v_tile
        else:
            factor = torch.exp(m - m_tile)
            denominator = denominator * factor + p.sum(-1, keepdim=True)
            numerator = numerator * factor + p @ v_tile
        m = m_tile
    return numerator / denominator
