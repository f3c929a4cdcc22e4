# replaces: post_ln_block
# alternative: the linear layers and layer norms applied through torch.nn.functional with the modules' parameters
class PostLNBlock(nn.Module):
    def __init__(self, d_model, num_heads, d_ff, eps=1e-12):
        super().__init__()
        self.d_model, self.eps = d_model, eps
        self.self_attn = MultiHeadAttention(d_model, num_heads)
        self.norm1 = nn.LayerNorm(d_model, eps=eps)
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.norm2 = nn.LayerNorm(d_model, eps=eps)

    def normalise(self, x, norm):
        return nn.functional.layer_norm(
            x, (self.d_model,), norm.weight, norm.bias, norm.eps
        )

    def forward(self, x, mask=None):
        F = nn.functional
        residual = torch.add(x, self.self_attn(x, x, x, mask))
        x = self.normalise(residual, self.norm1)
        hidden = gelu(F.linear(x, self.linear1.weight, self.linear1.bias))
        out = F.linear(hidden, self.linear2.weight, self.linear2.bias)
        return self.normalise(x + out, self.norm2)
