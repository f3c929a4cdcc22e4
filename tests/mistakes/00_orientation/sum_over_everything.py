# replaces: softmax
# mistake: divides by the sum over the whole tensor instead of along `dim`
def softmax(x, dim=-1):
    exps = torch.exp(x - x.amax(dim=dim, keepdim=True))
    return exps / exps.sum()
