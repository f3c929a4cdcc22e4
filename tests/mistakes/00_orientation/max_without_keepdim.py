# replaces: softmax
# mistake: takes the maximum without keepdim, so the subtraction broadcasts along the wrong axis
def softmax(x, dim=-1):
    shifted = x - x.max(dim=dim).values
    exps = torch.exp(shifted)
    return exps / exps.sum(dim=dim, keepdim=True)
