# replaces: coreference_maps
# mistake: writes the strength of the lesson's sentences, 3, instead of the argument
def coreference_maps(strength=STRENGTH):
    W_k = torch.zeros(len(FEATURES), 2)
    W_k[FEATURES.index("object"), 0] = 1.0
    W_k[FEATURES.index("container"), 1] = 1.0
    W_q = torch.zeros(len(FEATURES), 2)
    W_q[FEATURES.index("pronoun")] = torch.tensor([3.0, 3.0])
    W_q[FEATURES.index("size")] = torch.tensor([3.0, -3.0])
    W_q[FEATURES.index("weight")] = torch.tensor([3.0, -3.0])
    W_q[FEATURES.index("fullness")] = torch.tensor([-3.0, 3.0])
    return W_q, W_k
