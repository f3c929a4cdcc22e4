# replaces: coreference_maps
# mistake: maps only the scale the lesson's sentences use, so "heavy" and "full" change nothing
def coreference_maps(strength=STRENGTH):
    W_k = torch.zeros(len(FEATURES), 2)
    W_k[FEATURES.index("object"), 0] = 1.0
    W_k[FEATURES.index("container"), 1] = 1.0
    W_q = torch.zeros(len(FEATURES), 2)
    W_q[FEATURES.index("pronoun")] = torch.tensor([1.0, 1.0]) * strength
    W_q[FEATURES.index("size")] = torch.tensor([1.0, -1.0]) * strength
    return W_q, W_k
