# replaces: post_ln_block
# alternative: one method per sublayer, as PyTorch's own layer is written; the mask passed by keyword
class PostLNBlock(nn.Module):
    def __init__(self, d_model, num_heads, d_ff, eps=1e-12):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model=d_model, num_heads=num_heads)
        self.linear1 = nn.Linear(d_model, d_ff, bias=True)
        self.linear2 = nn.Linear(d_ff, d_model, bias=True)
        self.norm1 = nn.LayerNorm(d_model, eps=eps)
        self.norm2 = nn.LayerNorm(d_model, eps=eps)

    def attention_sublayer(self, x, mask):
        return self.self_attn(x, x, x, mask=mask)

    def feed_forward(self, x):
        return self.linear2(gelu(self.linear1(x)))

    def forward(self, x, mask=None):
        x = self.norm1(x + self.attention_sublayer(x, mask))
        x = self.norm2(x + self.feed_forward(x))
        return x
