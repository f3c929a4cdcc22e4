# replaces: softmax
# alternative: computes in float64 and casts back to the input's dtype
def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    wide = x.to(torch.float64)
    exps = torch.exp(wide - wide.amax(dim=dim, keepdim=True))
    return (exps / exps.sum(dim=dim, keepdim=True)).to(x.dtype)
