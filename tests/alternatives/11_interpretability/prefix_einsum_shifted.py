# replaces: prefix_matching_score
# alternative: shifts the tokens right with a placeholder, einsum, float64 sums
def prefix_matching_score(attn, tokens):
    length = tokens.shape[1]
    placeholder = torch.full_like(tokens[:, :1], -1)  # (B, 1): matches no token
    before = torch.cat([placeholder, tokens[:, :-1]], dim=1)  # (B, N): token j - 1
    rows = torch.arange(length)
    causal = rows[None, :] <= rows[:, None]  # (N, N): j <= t
    targets = (tokens[:, :, None] == before[:, None, :]) & causal  # (B, N, N)
    per_query = torch.einsum("bhtj,btj->bht", attn.double(), targets.double())
    has_target = targets.any(dim=-1)  # (B, N)
    picked = per_query.permute(0, 2, 1)[has_target]  # (pairs, H)
    return picked.mean(dim=0).to(attn.dtype)
