# replaces: multi_head_attention
# mistake: splits heads inline with a direct view to (B, H, T, D/H), which mixes tokens and heads
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
        B, Lq, D = query.shape
        Lk = key.shape[1]
        H = self.num_heads
        q = self.q_proj(query).view(
            B, H, Lq, D // H
        )  # (B, Lq, D) -> (B, H, Lq, D/H), wrong
        k = self.k_proj(key).view(
            B, H, Lk, D // H
        )  # (B, Lk, D) -> (B, H, Lk, D/H), wrong
        v = self.v_proj(value).view(
            B, H, Lk, D // H
        )  # (B, Lk, D) -> (B, H, Lk, D/H), wrong
        if mask is not None and mask.dim() == 3:
            mask = mask.unsqueeze(1)
        context, self.attn_weights = scaled_dot_product_attention(q, k, v, mask)
        return self.out_proj(context.reshape(B, Lq, D))  # (B, H, Lq, D/H) -> (B, Lq, D)
