# replaces: prefix_matching_score
# mistake: forgets j <= t, so matches later in the sequence count as targets too
def prefix_matching_score(attn, tokens):
    length = tokens.shape[1]
    targets = torch.zeros(tokens.shape[0], length, length, dtype=torch.bool)
    targets[:, :, 1:] = tokens[:, :, None] == tokens[:, None, :-1]
    per_query = (attn * targets[:, None]).sum(dim=-1)  # (B, H, N)
    has_target = targets.any(dim=-1)  # (B, N)
    return (per_query * has_target[:, None]).sum(dim=(0, 2)) / has_target.sum()
