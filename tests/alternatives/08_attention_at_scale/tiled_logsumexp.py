# replaces: tiled_attention
# alternative: carries one running log-sum-exp per query (torch.logsumexp, torch.logaddexp) instead of a maximum and a sum, and a normalised output
def tiled_attention(q, k, v, tile_size, causal=False):
    scale = 1 / math.sqrt(q.size(-1))
    lse = q.new_full(q.shape[:-1], float("-inf"))  # (..., Lq)
    out = q.new_zeros(q.shape[:-1] + v.shape[-1:])  # (..., Lq, d_v)
    query_pos = torch.arange(q.size(-2), device=q.device).view(-1, 1)
    for start in range(0, k.size(-2), tile_size):
        k_tile = k[..., start : start + tile_size, :]
        s = torch.einsum("...qd,...kd->...qk", q, k_tile) * scale
        if causal:
            key_pos = torch.arange(start, start + k_tile.size(-2), device=q.device)
            s = s.masked_fill(key_pos.view(1, -1) > query_pos, float("-inf"))
        new_lse = torch.logaddexp(lse, torch.logsumexp(s, dim=-1))
        weights = torch.exp(s - new_lse.unsqueeze(-1))
        out = out * torch.exp(lse - new_lse).unsqueeze(-1)
        out = out + weights @ v[..., start : start + tile_size, :]
        lse = new_lse
    return out
