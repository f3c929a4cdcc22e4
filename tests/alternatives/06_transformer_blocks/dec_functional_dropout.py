# replaces: decoder_block
# alternative: F.dropout with the block's rate and training flag, Tensor.add for the residuals
class DecoderBlock(nn.Module):
    """Pre-LN decoder block: masked self-attention, cross-attention to the memory,
    feed-forward."""

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
        p, training = self.dropout.p, self.training
        q = self.norm1(x)
        x = x.add(F.dropout(self.self_attn(q, q, q, self_mask), p, training))
        q = self.norm2(x)
        crossed = self.cross_attn(q, memory, memory, memory_mask)  # (B, T, D)
        x = x.add(F.dropout(crossed, p, training))
        return x.add(F.dropout(self.ff(self.norm3(x)), p, training))
