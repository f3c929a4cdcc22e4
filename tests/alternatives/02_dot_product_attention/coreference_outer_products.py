# replaces: coreference_maps
# alternative: sums of outer products of one-hot feature vectors and 2-d directions
def coreference_maps(strength=STRENGTH):
    one_hot = torch.eye(len(FEATURES))  # row i: feature i alone
    f = {name: one_hot[i] for i, name in enumerate(FEATURES)}
    both, towards_object = torch.tensor([1.0, 1.0]), torch.tensor([1.0, -1.0])
    W_q = strength * (
        torch.outer(f["pronoun"], both)
        + torch.outer(f["size"] + f["weight"] - f["fullness"], towards_object)
    )
    W_k = one_hot[:, [FEATURES.index("object"), FEATURES.index("container")]]
    return W_q, W_k
