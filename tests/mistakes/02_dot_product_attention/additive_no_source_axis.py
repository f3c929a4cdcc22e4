# replaces: additive_score
# mistake: adds the projected state to the projected annotations without a source axis
def additive_score(s, h, W_s, W_h, v, mask=None):
    scores = torch.tanh(s @ W_s + h @ W_h) @ v
    if mask is not None:
        scores = scores.masked_fill(~mask, -math.inf)
    return scores
