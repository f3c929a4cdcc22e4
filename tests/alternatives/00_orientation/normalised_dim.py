# replaces: softmax
# alternative: turns a negative dim into a positive one first and uses torch functions, not methods
def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    dim = dim % x.dim() if x.dim() else 0
    shifted = torch.sub(x, torch.amax(x, dim, keepdim=True))
    exps = torch.exp(shifted)
    return torch.div(exps, torch.sum(exps, dim, keepdim=True))
