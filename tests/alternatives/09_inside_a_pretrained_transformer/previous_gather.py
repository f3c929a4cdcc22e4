# replaces: previous_token_attention
# alternative: gather of column i - 1 from the rows 1..T-1
def previous_token_attention(weights):
    T = weights.size(-1)
    below = weights[..., 1:, :]  # (..., T-1, T)
    cols = torch.arange(T - 1, device=weights.device).view(T - 1, 1)
    cols = cols.expand(*below.shape[:-1], 1)  # (..., T-1, 1)
    return below.gather(-1, cols).squeeze(-1).mean(-1)
