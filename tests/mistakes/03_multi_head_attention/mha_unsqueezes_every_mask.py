# replaces: multi_head_attention
# mistake: gives every mask a head axis with unsqueeze(1), so 2-D and 4-D masks line up with the wrong axes
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        if d_model % num_heads:
            raise ValueError("d_model must be divisible by num_heads")
        self.num_heads = num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)
        self.attn_weights = None

    def forward(self, query, key, value, mask=None):
        q = split_heads(self.q_proj(query), self.num_heads)  # (B, H, Lq, W)
        k = split_heads(self.k_proj(key), self.num_heads)  # (B, H, Lk, W)
        v = split_heads(self.v_proj(value), self.num_heads)  # (B, H, Lk, W)
        if mask is not None:
            mask = mask.unsqueeze(1)
        context, self.attn_weights = scaled_dot_product_attention(q, k, v, mask)
        return self.out_proj(merge_heads(context))  # (B, Lq, D)
