# replaces: additive_score
# mistake: returns the softmax of the scores (the attention weights), not the scores
def additive_score(s, h, W_s, W_h, v, mask=None):
    scores = torch.tanh((s @ W_s).unsqueeze(-2) + h @ W_h) @ v
    if mask is not None:
        scores = scores.masked_fill(~mask, -math.inf)
    return torch.softmax(scores, dim=-1)
