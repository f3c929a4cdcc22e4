# replaces: multi_head_attention
# mistake: merges the heads by reshaping (B, H, Lq, D/H) straight to (B, Lq, D)
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        if d_model % num_heads:
            raise ValueError("d_model is not divisible by num_heads")
        self.d_model, self.num_heads = d_model, num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)
        self.attn_weights = None

    def forward(self, query, key, value, mask=None):
        q = split_heads(self.q_proj(query), self.num_heads)  # (B, H, Lq, D/H)
        k = split_heads(self.k_proj(key), self.num_heads)  # (B, H, Lk, D/H)
        v = split_heads(self.v_proj(value), self.num_heads)  # (B, H, Lk, D/H)
        if mask is not None and mask.dim() == 3:
            mask = mask.unsqueeze(1)
        context, self.attn_weights = scaled_dot_product_attention(q, k, v, mask)
        return self.out_proj(
            context.reshape(query.shape[0], query.shape[1], self.d_model)
        )  # mixes heads
