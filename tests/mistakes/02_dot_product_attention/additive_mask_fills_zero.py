# replaces: additive_score
# mistake: padded positions get the score 0 instead of -inf
def additive_score(s, h, W_s, W_h, v, mask=None):
    scores = torch.tanh((s @ W_s).unsqueeze(-2) + h @ W_h) @ v
    if mask is not None:
        scores = scores.masked_fill(~mask, 0.0)
    return scores
