# replaces: additive_score
# mistake: a tanh of each projection, added afterwards
def additive_score(s, h, W_s, W_h, v, mask=None):
    hidden = torch.tanh(s @ W_s).unsqueeze(-2) + torch.tanh(h @ W_h)
    scores = hidden @ v
    if mask is not None:
        scores = scores.masked_fill(~mask, -math.inf)
    return scores
