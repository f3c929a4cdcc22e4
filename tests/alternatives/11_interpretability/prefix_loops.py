# replaces: prefix_matching_score
# alternative: plain loops over sequences, queries and keys
def prefix_matching_score(attn, tokens):
    batch, length = tokens.shape
    total = torch.zeros(attn.shape[1], dtype=attn.dtype)
    count = 0
    for b in range(batch):
        for t in range(length):
            keys = [j for j in range(1, t + 1) if tokens[b, j - 1] == tokens[b, t]]
            if keys:
                total = total + attn[b, :, t, keys].sum(dim=-1)
                count += 1
    return total / count
