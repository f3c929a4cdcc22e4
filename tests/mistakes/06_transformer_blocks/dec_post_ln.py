# replaces: decoder_block
# mistake: post-LN (normalises after each residual addition) instead of pre-LN
class DecoderBlock(nn.Module):
    """Pre-LN decoder block: masked self-attention, cross-attention to the memory, feed-forward."""

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
        x = self.norm1(x + self.dropout(self.self_attn(x, x, x, self_mask)))
        x = self.norm2(
            x + self.dropout(self.cross_attn(x, memory, memory, memory_mask))
        )
        return self.norm3(x + self.dropout(self.ff(x)))
