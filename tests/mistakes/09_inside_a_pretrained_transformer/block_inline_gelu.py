# replaces: post_ln_block
# mistake: writes the GELU formula again inline: the values are right, but the contract asks for the gelu of exercise 1
class PostLNBlock(nn.Module):
    def __init__(self, d_model, num_heads, d_ff, eps=1e-12):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, num_heads)
        self.norm1 = nn.LayerNorm(d_model, eps=eps)
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.norm2 = nn.LayerNorm(d_model, eps=eps)

    def forward(self, x, mask=None):
        x = self.norm1(x + self.self_attn(x, x, x, mask))
        hidden = self.linear1(x)
        hidden = 0.5 * hidden * (1 + torch.erf(hidden / math.sqrt(2)))
        return self.norm2(x + self.linear2(hidden))
