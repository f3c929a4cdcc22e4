# replaces: post_ln_block
# mistake: never passes the mask to the self-attention, so real tokens attend to padding
class PostLNBlock(nn.Module):
    def __init__(self, d_model, num_heads, d_ff, eps=1e-12):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads)
        self.norm1 = nn.LayerNorm(d_model, eps=eps)
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.norm2 = nn.LayerNorm(d_model, eps=eps)

    def forward(self, x, mask=None):
        x = self.norm1(x + self.self_attn(x, x, x))
        return self.norm2(x + self.linear2(gelu(self.linear1(x))))
