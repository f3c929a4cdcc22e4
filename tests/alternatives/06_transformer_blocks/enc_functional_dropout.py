# replaces: encoder_block
# alternative: F.dropout with self.dropout's rate and the training flag; torch.add; norm applied per argument
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

    def _drop(self, y: torch.Tensor) -> torch.Tensor:
        return F.dropout(y, p=self.dropout.p, training=self.training)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        attended = self.self_attn(self.norm1(x), self.norm1(x), self.norm1(x), mask)
        x = torch.add(x, self._drop(attended))  # (B, T, D)
        return torch.add(x, self._drop(self.ff(self.norm2(x))))  # (B, T, D)
