# replaces: softmax
# alternative: exp(x - logsumexp(x)), the log-space form; torch.logsumexp shifts by the maximum itself
def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    return torch.exp(x - torch.logsumexp(x, dim=dim, keepdim=True))
