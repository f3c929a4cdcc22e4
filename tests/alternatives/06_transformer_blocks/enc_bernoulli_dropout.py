# replaces: encoder_block
# alternative: the block's dropout written by hand (uniform draws compared with p, survivors scaled)
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
        self.rate = dropout

    def drop(self, y: torch.Tensor) -> torch.Tensor:
        if not self.training or self.rate == 0:
            return y
        keep = torch.rand_like(y) >= self.rate  # (B, T, D)
        return torch.where(keep, y / (1 - self.rate), 0.0)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        normed = self.norm1(x)  # (B, T, D)
        x = x + self.drop(self.self_attn(normed, normed, normed, mask))
        return x + self.drop(self.ff(self.norm2(x)))  # (B, T, D)
