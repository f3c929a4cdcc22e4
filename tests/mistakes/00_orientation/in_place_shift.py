# replaces: softmax
# mistake: subtracts the maximum in place, which changes the caller's tensor
def softmax(x, dim=-1):
    x -= x.amax(dim=dim, keepdim=True).detach()
    exps = torch.exp(x)
    return exps / exps.sum(dim=dim, keepdim=True)
