# replaces: multi_head_attention
# alternative: nanoGPT-style forward (size() unpacking, scale as a product, masked_fill(mask == 0), contiguous().view)
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        if d_model % num_heads != 0:
            raise ValueError("d_model % num_heads != 0")
        self.n_head = num_heads
        self.n_embd = d_model
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)
        self.attn_weights = None

    def forward(self, query, key, value, mask=None):
        B, T, C = query.size()
        S = key.size(1)
        hs = C // self.n_head
        # (B, nh, T, hs)
        q = self.q_proj(query).view(B, T, self.n_head, hs).transpose(1, 2)
        # (B, nh, S, hs)
        k = self.k_proj(key).view(B, S, self.n_head, hs).transpose(1, 2)
        # (B, nh, S, hs)
        v = self.v_proj(value).view(B, S, self.n_head, hs).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))  # (B, nh, T, S)
        if mask is not None:
            if mask.dim() == 3:
                mask = mask.unsqueeze(1)  # (B, T, S) -> (B, 1, T, S)
            att = att.masked_fill(mask == 0, float("-inf"))
        att = F.softmax(att, dim=-1)  # (B, nh, T, S)
        self.attn_weights = att
        y = att @ v  # (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # (B, T, C)
        return self.out_proj(y)
