# replaces: decoder_block
# alternative: the three sublayers as (norm, function) pairs run in a loop, one dropout module each
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
        self.drops = nn.ModuleList([nn.Dropout(dropout) for _ in range(3)])

    def forward(self, x, memory, self_mask=None, memory_mask=None):
        sublayers = [
            (self.norm1, lambda h: self.self_attn(h, h, h, self_mask)),
            (self.norm2, lambda h: self.cross_attn(h, memory, memory, memory_mask)),
            (self.norm3, self.ff),
        ]
        for (norm, sublayer), drop in zip(sublayers, self.drops):
            x = x + drop(sublayer(norm(x)))  # (B, T, D)
        return x
