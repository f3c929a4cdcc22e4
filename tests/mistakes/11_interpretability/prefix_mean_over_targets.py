# replaces: prefix_matching_score
# mistake: takes the mean weight over a query's targets instead of their total weight
def prefix_matching_score(attn, tokens):
    length = tokens.shape[1]
    matches = torch.zeros(tokens.shape[0], length, length, dtype=torch.bool)
    matches[:, :, 1:] = tokens[:, :, None] == tokens[:, None, :-1]
    targets = matches & torch.ones(length, length, dtype=torch.bool).tril()
    counts = targets.sum(dim=-1)  # (B, N)
    per_query = (attn * targets[:, None]).sum(dim=-1) / counts.clamp(min=1)[:, None]
    has_target = counts > 0
    return (per_query * has_target[:, None]).sum(dim=(0, 2)) / has_target.sum()
