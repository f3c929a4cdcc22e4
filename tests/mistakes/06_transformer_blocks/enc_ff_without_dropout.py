# replaces: encoder_block
# mistake: builds the feed-forward without passing `dropout`, so its hidden layer never drops
class EncoderBlock(nn.Module):
    """Pre-LN encoder block: self-attention and feed-forward sublayers, each with a residual connection."""

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.self_attn = MultiHeadAttention(d_model, num_heads)
        self.norm2 = nn.LayerNorm(d_model)
        self.ff = FeedForward(d_model, d_ff)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, mask=None):
        h = self.norm1(x)
        x = x + self.dropout(self.self_attn(h, h, h, mask))
        return x + self.dropout(self.ff(self.norm2(x)))
