# replaces: tiled_attention
# alternative: tiles the queries as well (blocks of tile_size x tile_size, as FlashAttention does), skips causal blocks wholly above the diagonal, and stacks the query blocks with torch.cat
def tiled_attention(q, k, v, tile_size, causal=False):
    lq, lk = q.shape[-2], k.shape[-2]
    scale = 1.0 / math.sqrt(q.shape[-1])
    blocks = []
    for q0 in range(0, lq, tile_size):
        q1 = min(q0 + tile_size, lq)
        qb = q[..., q0:q1, :] * scale
        m = torch.full((*qb.shape[:-1], 1), float("-inf"), dtype=q.dtype)
        den = torch.zeros_like(m)
        num = torch.zeros((*qb.shape[:-1], v.shape[-1]), dtype=q.dtype)
        last = min(lk, q1) if causal else lk
        for k0 in range(0, last, tile_size):
            k1 = min(k0 + tile_size, lk)
            s = qb @ k[..., k0:k1, :].transpose(-2, -1)
            if causal and k1 - 1 > q0:
                rows = torch.arange(q0, q1).reshape(-1, 1)
                cols = torch.arange(k0, k1).reshape(1, -1)
                s = s.masked_fill(cols > rows, float("-inf"))
            m_new = torch.maximum(m, s.amax(dim=-1, keepdim=True))
            p = torch.exp(s - m_new)
            c = torch.exp(m - m_new)
            den = c * den + p.sum(dim=-1, keepdim=True)
            num = c * num + p @ v[..., k0:k1, :]
            m = m_new
        blocks.append(num / den)
    return torch.cat(blocks, dim=-2)
