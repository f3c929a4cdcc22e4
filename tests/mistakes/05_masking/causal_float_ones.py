# replaces: causal_mask
# mistake: returns a float tensor of ones and zeros instead of a boolean mask
def causal_mask(seq_len: int) -> torch.Tensor:
    return torch.ones(seq_len, seq_len).tril()
