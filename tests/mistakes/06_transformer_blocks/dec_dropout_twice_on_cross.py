# replaces: decoder_block
# mistake: the cross-attention output goes through dropout twice, so about 1-(1-p)^2 of it is dropped
class DecoderBlock(nn.Module):
    def __init__(self, d_model, num_heads, d_ff, dropout=0.0):
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
        x = x + self.dropout(self.self_attn(h, h, h, self_mask))
        h = self.norm2(x)
        x = x + self.dropout(
            self.dropout(self.cross_attn(h, memory, memory, memory_mask))
        )
        return x + self.dropout(self.ff(self.norm3(x)))
