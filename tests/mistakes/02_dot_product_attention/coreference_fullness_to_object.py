# replaces: coreference_maps
# mistake: treats every "too much" scale alike, so "too full" points to the object
def coreference_maps(strength=STRENGTH):
    W_k = torch.zeros(len(FEATURES), 2)
    W_k[FEATURES.index("object"), 0] = 1.0
    W_k[FEATURES.index("container"), 1] = 1.0
    W_q = torch.zeros(len(FEATURES), 2)
    W_q[FEATURES.index("pronoun")] = torch.tensor([1.0, 1.0]) * strength
    for scale in ("size", "weight", "fullness"):
        W_q[FEATURES.index(scale)] = torch.tensor([1.0, -1.0]) * strength
    return W_q, W_k
