# replaces: decoder_block
# alternative: the block's dropout written by hand with torch.bernoulli, applied in a loop over the sublayers
class DecoderBlock(nn.Module):
    """Pre-LN decoder block: masked self-attention, cross-attention to the memory,
    feed-forward."""

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.self_attn = MultiHeadAttention(d_model, num_heads)
        self.norm2 = nn.LayerNorm(d_model)
        self.cross_attn = MultiHeadAttention(d_model, num_heads)
        self.norm3 = nn.LayerNorm(d_model)
        self.ff = FeedForward(d_model, d_ff, dropout)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, memory, self_mask=None, memory_mask=None):
        sublayers = [
            (self.norm1, lambda h: self.self_attn(h, h, h, self_mask)),
            (self.norm2, lambda h: self.cross_attn(h, memory, memory, memory_mask)),
            (self.norm3, self.ff),
        ]
        p = self.dropout.p
        for norm, sublayer in sublayers:
            update = sublayer(norm(x))  # (B, T, D)
            if self.training and p > 0:
                update = update * torch.bernoulli(torch.full_like(update, 1 - p))
                update = update / (1 - p)
            x = x + update  # (B, T, D)
        return x
