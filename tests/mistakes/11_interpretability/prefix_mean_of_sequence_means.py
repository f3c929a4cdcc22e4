# replaces: prefix_matching_score
# mistake: averages within each sequence first, then over sequences
def prefix_matching_score(attn, tokens):
    length = tokens.shape[1]
    matches = torch.zeros(tokens.shape[0], length, length, dtype=torch.bool)
    matches[:, :, 1:] = tokens[:, :, None] == tokens[:, None, :-1]
    targets = matches & torch.ones(length, length, dtype=torch.bool).tril()
    per_query = (attn * targets[:, None]).sum(dim=-1)  # (B, H, N)
    has_target = targets.any(dim=-1)  # (B, N)
    per_sequence = (per_query * has_target[:, None]).sum(dim=2) / has_target.sum(
        dim=1, keepdim=True
    ).clamp(min=1)  # (B, H)
    keep = has_target.any(dim=1)  # (B,)
    return per_sequence[keep].mean(dim=0)
