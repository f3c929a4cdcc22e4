# replaces: tiled_attention
# mistake: builds the causal mask of each tile from positions inside the tile (0 .. b-1) instead of the keys' positions in the sequence
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
            cols = torch.arange(k_tile.shape[-2]).unsqueeze(0)
            s = s.masked_fill(cols > rows, float("-inf"))
        m_new = torch.maximum(m, s.amax(-1, keepdim=True))
        p = torch.exp(s - m_new)
        correction = torch.exp(m - m_new)
        denominator = denominator * correction + p.sum(-1, keepdim=True)
        numerator = numerator * correction + p @ v_tile
        m = m_new
    return numerator / denominator
