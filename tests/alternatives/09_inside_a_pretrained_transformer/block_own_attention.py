# replaces: post_ln_block
# alternative: its own multi-head attention, written with einsum and masked_fill, beside the block
class SelfAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)
        self.attn_weights = None

    def forward(self, query, key, value, mask=None):
        B, T, D = query.shape
        H = self.num_heads
        q = self.q_proj(query).view(B, T, H, D // H)
        k = self.k_proj(key).view(B, key.shape[1], H, D // H)
        v = self.v_proj(value).view(B, value.shape[1], H, D // H)
        scores = torch.einsum("bqhd,bkhd->bhqk", q, k) / math.sqrt(D // H)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        self.attn_weights = torch.softmax(scores, dim=-1)
        context = torch.einsum("bhqk,bkhd->bqhd", self.attn_weights, v)
        return self.out_proj(context.reshape(B, T, D))


class PostLNBlock(nn.Module):
    def __init__(self, d_model, num_heads, d_ff, eps=1e-12):
        super().__init__()
        self.self_attn = SelfAttention(d_model, num_heads)
        self.norm1 = nn.LayerNorm(d_model, eps=eps)
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.norm2 = nn.LayerNorm(d_model, eps=eps)

    def forward(self, x, mask=None):
        x = self.norm1(x + self.self_attn(x, x, x, mask))
        return self.norm2(x + self.linear2(gelu(self.linear1(x))))
