# replaces: coreference_maps
# alternative: filled entry by entry in float64, the strength applied last, cast to float32
def coreference_maps(strength=STRENGTH):
    W_q = torch.zeros(len(FEATURES), 2, dtype=torch.float64)
    W_k = torch.zeros(len(FEATURES), 2, dtype=torch.float64)
    obj, box = FEATURES.index("object"), FEATURES.index("container")
    W_k[obj, 0] = W_k[box, 1] = 1
    for feature, sign in [("size", 1), ("weight", 1), ("fullness", -1)]:
        W_q[FEATURES.index(feature), 0] = sign
        W_q[FEATURES.index(feature), 1] = -sign
    W_q[FEATURES.index("pronoun")] = 1
    return (W_q * strength).float(), W_k.float()
