# replaces: additive_score
# mistake: reads the mask as True = padding
def additive_score(s, h, W_s, W_h, v, mask=None):
    scores = torch.tanh((s @ W_s).unsqueeze(-2) + h @ W_h) @ v
    if mask is not None:
        scores = scores.masked_fill(mask, -math.inf)
    return scores
