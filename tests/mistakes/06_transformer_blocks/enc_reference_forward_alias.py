# replaces: encoder_block
# mistake: builds its own layers but runs them through the reference block's forward, taken under an alias
from course_utils.reference import blocks as _course_blocks

_borrowed_forward = _course_blocks.EncoderBlock.forward


class EncoderBlock(nn.Module):
    """Pre-LN encoder block: self-attention and feed-forward sublayers, each with a residual connection."""

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.norm_first = True
        self.norm1 = nn.LayerNorm(d_model)
        self.self_attn = MultiHeadAttention(d_model, num_heads)
        self.norm2 = nn.LayerNorm(d_model)
        self.ff = FeedForward(d_model, d_ff, dropout)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, mask=None):
        return _borrowed_forward(self, x, mask)
