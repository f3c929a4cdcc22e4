# replaces: multi_head_attention
# mistake: splits and merges the heads with the course's reference functions, captured under aliases
from course_utils.reference import merge_heads as _merge
from course_utils.reference import split_heads as _split


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
        q = _split(self.q_proj(query), self.num_heads)  # (B, H, Lq, W)
        k = _split(self.k_proj(key), self.num_heads)  # (B, H, Lk, W)
        v = _split(self.v_proj(value), self.num_heads)  # (B, H, Lk, W)
        if mask is not None and mask.dim() == 3:
            mask = mask.unsqueeze(1)  # (B, Lq, Lk) -> (B, 1, Lq, Lk)
        context, self.attn_weights = scaled_dot_product_attention(q, k, v, mask)
        return self.out_proj(_merge(context))  # (B, Lq, D)
