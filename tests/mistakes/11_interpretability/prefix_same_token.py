# replaces: prefix_matching_score
# mistake: scores the earlier copies of the current token itself, not the tokens after them
def prefix_matching_score(attn, tokens):
    length = tokens.shape[1]
    matches = tokens[:, :, None] == tokens[:, None, :]  # (B, N, N)
    earlier = torch.ones(length, length, dtype=torch.bool).tril(-1)
    targets = matches & earlier
    per_query = (attn * targets[:, None]).sum(dim=-1)  # (B, H, N)
    has_target = targets.any(dim=-1)  # (B, N)
    return (per_query * has_target[:, None]).sum(dim=(0, 2)) / has_target.sum()
