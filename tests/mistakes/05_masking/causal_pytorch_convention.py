# replaces: causal_mask
# mistake: uses PyTorch's nn.Transformer convention (True = blocked), the strict upper triangle
def causal_mask(seq_len: int) -> torch.Tensor:
    return torch.ones(seq_len, seq_len, dtype=torch.bool).triu(1)
