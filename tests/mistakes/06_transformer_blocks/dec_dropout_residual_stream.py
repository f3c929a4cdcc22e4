# replaces: decoder_block
# mistake: dropout on the residual stream, x = dropout(x + sublayer(...)), instead of on each sublayer's output
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
        h = self.norm1(x)
        x = self.dropout(x + self.self_attn(h, h, h, self_mask))
        x = self.dropout(
            x + self.cross_attn(self.norm2(x), memory, memory, memory_mask)
        )
        return self.dropout(x + self.ff(self.norm3(x)))
