# replaces: prefix_matching_score
# mistake: requires j < t, so a query never counts itself when it repeats the token before it
def prefix_matching_score(attn, tokens):
    length = tokens.shape[1]
    matches = torch.zeros(tokens.shape[0], length, length, dtype=torch.bool)
    matches[:, :, 1:] = tokens[:, :, None] == tokens[:, None, :-1]
    targets = matches & torch.ones(length, length, dtype=torch.bool).tril(-1)
    per_query = (attn * targets[:, None]).sum(dim=-1)  # (B, H, N)
    has_target = targets.any(dim=-1)  # (B, N)
    return (per_query * has_target[:, None]).sum(dim=(0, 2)) / has_target.sum()
