# replaces: multi_head_attention
# mistake: never checks d_model % num_heads in __init__, so MultiHeadAttention(10, 3) builds without a ValueError
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
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
        if mask is not None and mask.dim() == 3:
            mask = mask.unsqueeze(1)  # (B, Lq, Lk) -> (B, 1, Lq, Lk)
        context, self.attn_weights = scaled_dot_product_attention(q, k, v, mask)
        return self.out_proj(merge_heads(context))  # (B, Lq, D)
