# replaces: encoder_block
# alternative: one residual helper applied to two sublayer functions, and a dropout module per sublayer
class EncoderBlock(nn.Module):
    """Pre-LN encoder block: self-attention and feed-forward sublayers, each with
    a residual connection."""

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.self_attn = MultiHeadAttention(d_model, num_heads)
        self.norm2 = nn.LayerNorm(d_model)
        self.ff = FeedForward(d_model, d_ff, dropout)
        self.dropout = nn.Dropout(dropout)
        self.dropout_ff = nn.Dropout(dropout)

    @staticmethod
    def _residual(x, norm, sublayer, drop):
        return x + drop(sublayer(norm(x)))  # (B, T, D)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        x = self._residual(
            x, self.norm1, lambda h: self.self_attn(h, h, h, mask), self.dropout
        )
        return self._residual(x, self.norm2, self.ff, self.dropout_ff)
