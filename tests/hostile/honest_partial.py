# attack: none: a plausible mistake (no maximum subtracted), graded as nbgrader grades it
# expect: 4
# --- replaces: softmax
def softmax(x, dim=-1):
    exps = torch.exp(x)
    return exps / exps.sum(dim=dim, keepdim=True)
