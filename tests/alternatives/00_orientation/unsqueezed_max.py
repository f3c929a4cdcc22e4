# replaces: softmax
# alternative: reduces without keepdim and puts the axis back with unsqueeze(dim)
def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    largest = torch.amax(x, dim=dim).unsqueeze(dim)  # size 1 along dim
    exps = torch.exp(x - largest)
    return exps / exps.sum(dim).unsqueeze(dim)
