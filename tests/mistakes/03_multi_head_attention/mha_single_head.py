# replaces: multi_head_attention
# mistake: ignores num_heads and attends with one head of the full width
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
        q, k, v = (
            self.q_proj(query),
            self.k_proj(key),
            self.v_proj(value),
        )  # (B, L, D) each, one head
        if mask is not None and mask.dim() == 4:
            mask = mask[:, 0]
        context, weights = scaled_dot_product_attention(q, k, v, mask)
        self.attn_weights = weights.unsqueeze(1).expand(
            -1, self.num_heads, -1, -1
        )  # (B, H, Lq, Lk), copies
        return self.out_proj(context)
