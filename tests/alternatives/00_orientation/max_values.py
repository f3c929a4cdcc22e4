# replaces: softmax
# alternative: x.max(dim, keepdim=True).values instead of amax; divides by the sum via reciprocal
def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    largest = x.max(dim=dim, keepdim=True).values  # same shape as x except size 1 along dim
    exps = (x - largest).exp()
    return exps * exps.sum(dim=dim, keepdim=True).reciprocal()
