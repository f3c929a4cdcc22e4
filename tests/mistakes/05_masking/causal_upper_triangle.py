# replaces: causal_mask
# mistake: keeps the upper triangle instead of the lower one, so every token reads the future
def causal_mask(seq_len: int) -> torch.Tensor:
    return torch.ones(seq_len, seq_len, dtype=torch.bool).triu()
