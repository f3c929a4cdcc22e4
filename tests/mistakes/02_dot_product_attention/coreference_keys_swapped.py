# replaces: coreference_maps
# mistake: the object's key on the container coordinate and the container's on the object's
def coreference_maps(strength=STRENGTH):
    W_k = torch.zeros(len(FEATURES), 2)
    W_k[FEATURES.index("object"), 1] = 1.0
    W_k[FEATURES.index("container"), 0] = 1.0
    W_q = torch.zeros(len(FEATURES), 2)
    W_q[FEATURES.index("pronoun")] = torch.tensor([1.0, 1.0]) * strength
    W_q[FEATURES.index("size")] = torch.tensor([1.0, -1.0]) * strength
    W_q[FEATURES.index("weight")] = torch.tensor([1.0, -1.0]) * strength
    W_q[FEATURES.index("fullness")] = torch.tensor([-1.0, 1.0]) * strength
    return W_q, W_k
