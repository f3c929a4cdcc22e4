# replaces: multi_head_attention
# mistake: writes the attention inline and scales the scores by sqrt(d_model) instead of sqrt(d_model / num_heads)
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
        scores = (
            q @ k.transpose(-2, -1) / math.sqrt(self.d_model)
        )  # (B, H, Lq, Lk), wrong scale
        if mask is not None:
            if mask.dim() == 3:
                mask = mask.unsqueeze(1)
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = torch.exp(scores - scores.amax(-1, keepdim=True))
        self.attn_weights = weights / weights.sum(-1, keepdim=True)
        return self.out_proj(merge_heads(self.attn_weights @ v))
