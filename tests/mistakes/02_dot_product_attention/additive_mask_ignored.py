# replaces: additive_score
# mistake: accepts a mask but never applies it
def additive_score(s, h, W_s, W_h, v, mask=None):
    return torch.tanh((s @ W_s).unsqueeze(-2) + h @ W_h) @ v
