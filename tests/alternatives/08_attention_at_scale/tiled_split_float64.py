# replaces: tiled_attention
# alternative: splits keys and values with torch.split, sums in float64 and casts the result back to the inputs' dtype
def tiled_attention(q, k, v, tile_size, causal=False):
    dtype = q.dtype
    q64, k64, v64 = q.double(), k.double(), v.double()
    q64 = q64 / math.sqrt(q.shape[-1])
    running_max = None
    offset = 0
    rows = torch.arange(q.shape[-2]).unsqueeze(-1)
    for k_tile, v_tile in zip(
        torch.split(k64, tile_size, -2), torch.split(v64, tile_size, -2)
    ):
        scores = q64 @ k_tile.transpose(-1, -2)
        if causal:
            cols = offset + torch.arange(k_tile.shape[-2])
            scores = scores.masked_fill(cols > rows, -torch.inf)
        tile_max = scores.amax(-1, keepdim=True)
        if running_max is None:
            running_max = tile_max
            exps = (scores - running_max).exp()
            denominator = exps.sum(-1, keepdim=True)
            numerator = exps @ v_tile
        else:
            new_max = torch.maximum(running_max, tile_max)
            exps = (scores - new_max).exp()
            factor = (running_max - new_max).exp()
            denominator = factor * denominator + exps.sum(-1, keepdim=True)
            numerator = factor * numerator + exps @ v_tile
            running_max = new_max
        offset += k_tile.shape[-2]
    return (numerator / denominator).to(dtype)
