# replaces: softmax
# mistake: subtracts the maximum over the last dimension but normalises over `dim`
def softmax(x, dim=-1):
    exps = torch.exp(x - x.amax(dim=-1, keepdim=True))
    return exps / exps.sum(dim=dim, keepdim=True)
