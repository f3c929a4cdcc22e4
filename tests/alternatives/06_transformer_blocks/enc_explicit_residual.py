# replaces: encoder_block
# alternative: explicit residual variables, each sublayer's result named before it is added
class EncoderBlock(nn.Module):
    """Pre-LN encoder block: self-attention and feed-forward sublayers, each with
    a residual connection."""

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.ff = FeedForward(d_model, d_ff, dropout)
        self.norm2 = nn.LayerNorm(d_model)
        self.self_attn = MultiHeadAttention(d_model, num_heads)
        self.norm1 = nn.LayerNorm(d_model)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        residual = x  # (B, T, D)
        normed = self.norm1(x)
        attended = self.self_attn(normed, normed, normed, mask=mask)
        x = residual + self.dropout(attended)
        residual = x
        transformed = self.ff(self.norm2(x))
        x = residual + self.dropout(transformed)
        return x
