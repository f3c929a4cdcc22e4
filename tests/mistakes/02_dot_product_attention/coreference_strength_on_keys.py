# replaces: coreference_maps
# mistake: puts the strength on the keys instead of the queries (the scores agree, the maps not)
def coreference_maps(strength=STRENGTH):
    W_k = torch.zeros(len(FEATURES), 2)
    W_k[FEATURES.index("object"), 0] = strength
    W_k[FEATURES.index("container"), 1] = strength
    W_q = torch.zeros(len(FEATURES), 2)
    W_q[FEATURES.index("pronoun")] = torch.tensor([1.0, 1.0])
    W_q[FEATURES.index("size")] = torch.tensor([1.0, -1.0])
    W_q[FEATURES.index("weight")] = torch.tensor([1.0, -1.0])
    W_q[FEATURES.index("fullness")] = torch.tensor([-1.0, 1.0])
    return W_q, W_k
