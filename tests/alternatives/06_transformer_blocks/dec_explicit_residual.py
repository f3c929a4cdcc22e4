# replaces: decoder_block
# alternative: explicit residual variables and keyword masks, layers created in another order
class DecoderBlock(nn.Module):
    """Pre-LN decoder block: masked self-attention, cross-attention to the memory,
    feed-forward."""

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.0):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads)
        self.cross_attn = MultiHeadAttention(d_model, num_heads)
        self.ff = FeedForward(d_model, d_ff, dropout)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.norm3 = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, memory, self_mask=None, memory_mask=None):
        residual = x  # (B, T, D)
        h = self.norm1(x)
        x = residual + self.dropout(self.self_attn(h, h, h, mask=self_mask))
        residual = x
        h = self.norm2(x)
        # queries (B, T, D), keys and values (B, S, D)
        context = self.cross_attn(query=h, key=memory, value=memory, mask=memory_mask)
        x = residual + self.dropout(context)
        residual = x
        x = residual + self.dropout(self.ff(self.norm3(x)))
        return x
