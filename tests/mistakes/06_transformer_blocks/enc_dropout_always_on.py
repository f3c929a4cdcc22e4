# replaces: encoder_block
# mistake: F.dropout without training=self.training: the block drops in eval mode too
class EncoderBlock(nn.Module):
    def __init__(self, d_model, num_heads, d_ff, dropout=0.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.self_attn = MultiHeadAttention(d_model, num_heads)
        self.norm2 = nn.LayerNorm(d_model)
        self.ff = FeedForward(d_model, d_ff, dropout)
        self.p = dropout

    def forward(self, x, mask=None):
        h = self.norm1(x)
        x = x + F.dropout(self.self_attn(h, h, h, mask), self.p)
        return x + F.dropout(self.ff(self.norm2(x)), self.p)
