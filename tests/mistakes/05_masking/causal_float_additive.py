# replaces: causal_mask
# mistake: returns the additive float mask (0 and -inf) of nn.Transformer.generate_square_subsequent_mask
def causal_mask(seq_len: int) -> torch.Tensor:
    return nn.Transformer.generate_square_subsequent_mask(seq_len)
