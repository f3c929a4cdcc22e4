# replaces: softmax
# mistake: subtracts the maximum of the whole tensor, so rows far below it underflow to 0/0
def softmax(x, dim=-1):
    exps = torch.exp(x - x.max())
    return exps / exps.sum(dim=dim, keepdim=True)
