# replaces: prefix_matching_score
# mistake: averages over every query, counting those without a target as score 0
def prefix_matching_score(attn, tokens):
    length = tokens.shape[1]
    matches = torch.zeros(tokens.shape[0], length, length, dtype=torch.bool)
    matches[:, :, 1:] = tokens[:, :, None] == tokens[:, None, :-1]
    targets = matches & torch.ones(length, length, dtype=torch.bool).tril()
    per_query = (attn * targets[:, None]).sum(dim=-1)  # (B, H, N)
    return per_query.mean(dim=(0, 2))
