# replaces: multi_head_attention
# alternative: attention written inline with einsum, the scale applied to q, masked_fill with -inf, inline reshapes
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        if d_model % num_heads != 0:
            raise ValueError("d_model must be divisible by num_heads")
        self.num_heads = num_heads
        self.head_dim = d_model // num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)
        self.attn_weights = None

    def forward(self, query, key, value, mask=None):
        B, Lq, D = query.shape
        Lk = key.shape[1]
        H, W = self.num_heads, self.head_dim
        q = self.q_proj(query).view(B, Lq, H, W)  # (B, Lq, H, W)
        k = self.k_proj(key).view(B, Lk, H, W)  # (B, Lk, H, W)
        v = self.v_proj(value).view(B, Lk, H, W)  # (B, Lk, H, W)
        q = q * W**-0.5
        scores = torch.einsum("bqhw,bkhw->bhqk", q, k)  # (B, H, Lq, Lk)
        if mask is not None:
            if mask.dim() == 3:
                mask = mask.unsqueeze(1)  # (B, Lq, Lk) -> (B, 1, Lq, Lk)
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = scores.softmax(dim=-1)  # (B, H, Lq, Lk)
        self.attn_weights = weights
        context = torch.einsum("bhqk,bkhw->bqhw", weights, v)  # (B, Lq, H, W)
        return self.out_proj(context.reshape(B, Lq, D))  # (B, Lq, D)
