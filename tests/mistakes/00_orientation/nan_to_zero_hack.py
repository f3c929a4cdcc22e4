# replaces: softmax
# mistake: hides overflow by replacing NaN with 0 instead of subtracting the maximum
def softmax(x, dim=-1):
    exps = torch.exp(x)
    return torch.nan_to_num(exps / exps.sum(dim=dim, keepdim=True), nan=0.0)
