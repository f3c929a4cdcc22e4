# replaces: softmax
# alternative: moves `dim` to the end, normalises the last axis, and moves it back
def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    last = x.movedim(dim, -1)  # (..., n) with the softmax axis last
    shifted = last - last.max(-1, keepdim=True)[0]
    exps = shifted.exp()
    return (exps / exps.sum(-1, keepdim=True)).movedim(-1, dim)
