# replaces: multi_head_attention
# mistake: keeps the weights averaged over the heads, (B, Lq, Lk), as torch.nn.MultiheadAttention returns by default
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
        context, weights = scaled_dot_product_attention(q, k, v, mask)
        self.attn_weights = weights.mean(dim=1)  # (B, Lq, Lk), heads averaged
        return self.out_proj(merge_heads(context))
