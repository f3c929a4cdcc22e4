# replaces: softmax
# mistake: converts the input to float32 first, so a float64 input comes back as float32
def softmax(x, dim=-1):
    x = x.float()
    exps = torch.exp(x - x.amax(dim=dim, keepdim=True))
    return exps / exps.sum(dim=dim, keepdim=True)
