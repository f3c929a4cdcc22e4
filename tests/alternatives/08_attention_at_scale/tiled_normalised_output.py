# replaces: tiled_attention
# alternative: keeps the running output already divided by its denominator, renormalising it after every tile
def tiled_attention(q, k, v, tile_size, causal=False):
    scale = q.shape[-1] ** -0.5
    m = torch.full((*q.shape[:-1], 1), -math.inf, dtype=q.dtype, device=q.device)
    ell = torch.zeros_like(m)
    o = torch.zeros((*q.shape[:-1], v.shape[-1]), dtype=q.dtype, device=q.device)
    i = torch.arange(q.shape[-2], device=q.device)[:, None]
    start = 0
    while start < k.shape[-2]:
        stop = min(start + tile_size, k.shape[-2])
        s = torch.matmul(q, k[..., start:stop, :].mT) * scale
        if causal:
            j = torch.arange(start, stop, device=q.device)[None, :]
            s = torch.where(j <= i, s, -math.inf)
        m_new = torch.maximum(m, s.max(dim=-1, keepdim=True).values)
        p = torch.exp(s - m_new)
        ell_new = ell * torch.exp(m - m_new) + p.sum(dim=-1, keepdim=True)
        o = (o * ell * torch.exp(m - m_new) + p @ v[..., start:stop, :]) / ell_new
        m, ell = m_new, ell_new
        start = stop
    return o
