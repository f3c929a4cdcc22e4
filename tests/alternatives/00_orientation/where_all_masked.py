# replaces: softmax
# alternative: replaces a -inf maximum by 0 with torch.where, so a row of only -inf gives 0s, not NaN
def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    largest = x.amax(dim=dim, keepdim=True)
    largest = torch.where(torch.isinf(largest), torch.zeros_like(largest), largest)
    exps = torch.exp(x - largest)
    total = exps.sum(dim=dim, keepdim=True)
    return exps / torch.where(total == 0, torch.ones_like(total), total)
