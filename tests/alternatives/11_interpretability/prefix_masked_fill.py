# replaces: prefix_matching_score
# alternative: masked_fill of the non-targets, then a boolean selection of the queries
def prefix_matching_score(attn, tokens):
    batch, length = tokens.shape
    previous = torch.roll(tokens, shifts=1, dims=1)  # (B, N), entry 0 is wrapped around
    same = tokens.unsqueeze(2) == previous.unsqueeze(1)  # (B, N, N)
    same[:, :, 0] = False  # key 0 has no previous token
    same = same.tril()  # keys j <= t
    kept = attn.masked_fill(~same.unsqueeze(1), 0.0).sum(dim=3)  # (B, H, N)
    selected = same.any(dim=2)  # (B, N)
    heads = attn.shape[1]
    # (B, H, N) -> (B, N, H) -> (pairs, H)
    chosen = kept.transpose(1, 2).reshape(batch * length, heads)[selected.reshape(-1)]
    return chosen.sum(dim=0) / chosen.shape[0]
