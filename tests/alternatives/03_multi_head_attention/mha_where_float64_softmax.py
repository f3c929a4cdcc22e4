# replaces: multi_head_attention
# alternative: matmul scores, torch.where with -inf for the mask, softmax in float64 cast back, own split/merge
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        if d_model % num_heads:
            raise ValueError(f"{d_model} channels do not split into {num_heads} heads")
        self.num_heads = num_heads
        self.out_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.q_proj = nn.Linear(d_model, d_model)
        self.attn_weights = None

    def forward(self, query, key, value, mask=None):
        q = split_heads(self.q_proj(query), self.num_heads)  # (B, H, Lq, W)
        k = split_heads(self.k_proj(key), self.num_heads)  # (B, H, Lk, W)
        v = split_heads(self.v_proj(value), self.num_heads)  # (B, H, Lk, W)
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, H, Lq, Lk)
        if mask is not None:
            if mask.ndim == 3:
                mask = mask[:, None]  # (B, Lq, Lk) -> (B, 1, Lq, Lk)
            scores = torch.where(mask, scores, float("-inf"))
        weights = torch.softmax(scores.double(), dim=-1).to(scores.dtype)
        self.attn_weights = weights  # (B, H, Lq, Lk)
        return self.out_proj(merge_heads(weights @ v))  # (B, H, Lq, W) -> (B, Lq, D)
