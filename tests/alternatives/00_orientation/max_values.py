# replaces: softmax
# alternative: x.max(dim, keepdim=True).values instead of amax; divides by the sum via reciprocal
def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    # same shape as x except size 1 along dim
    largest = x.max(dim=dim, keepdim=True).values
    exps = (x - largest).exp()
    return exps * exps.sum(dim=dim, keepdim=True).reciprocal()
