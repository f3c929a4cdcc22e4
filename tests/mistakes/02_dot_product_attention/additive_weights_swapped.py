# replaces: additive_score
# mistake: maps the state with W_h and the annotations with W_s
def additive_score(s, h, W_s, W_h, v, mask=None):
    scores = torch.tanh((s @ W_h).unsqueeze(-2) + h @ W_s) @ v
    if mask is not None:
        scores = scores.masked_fill(~mask, -math.inf)
    return scores
