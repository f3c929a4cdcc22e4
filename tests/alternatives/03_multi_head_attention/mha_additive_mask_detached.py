# replaces: multi_head_attention
# alternative: an additive 0/-inf mask, softmax in at least float32, the weights kept detached
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model: int, num_heads: int):
        super().__init__()
        if d_model % num_heads != 0:
            raise ValueError("num_heads must divide d_model")
        self.d_model = d_model
        self.num_heads = num_heads
        for name in ("q_proj", "k_proj", "v_proj", "out_proj"):
            setattr(self, name, nn.Linear(d_model, d_model, bias=True))
        self.attn_weights = None

    def _heads(self, t):
        B, L, _ = t.shape
        # (B, L, D) -> (B, L, H, W) -> (B, H, L, W)
        return t.reshape(B, L, self.num_heads, -1).transpose(1, 2)

    def forward(self, query, key, value, mask=None):
        q = self._heads(self.q_proj(query))  # (B, H, Lq, W)
        k = self._heads(self.k_proj(key))  # (B, H, Lk, W)
        v = self._heads(self.v_proj(value))  # (B, H, Lk, W)
        # (B, H, Lq, Lk)
        scores = torch.matmul(q, k.transpose(2, 3)) / q.size(-1) ** 0.5
        if mask is not None:
            if mask.dim() == 3:
                mask = mask.unsqueeze(1)  # (B, Lq, Lk) -> (B, 1, Lq, Lk)
            bias = torch.zeros(mask.shape, dtype=scores.dtype, device=scores.device)
            scores = scores + bias.masked_fill(mask.logical_not(), float("-inf"))
        work = torch.promote_types(scores.dtype, torch.float32)
        # (B, H, Lq, Lk)
        weights = F.softmax(scores, dim=-1, dtype=work).to(scores.dtype)
        self.attn_weights = weights.detach()
        context = torch.matmul(weights, v)  # (B, H, Lq, W)
        B, H, Lq, W = context.shape
        # (B, H, Lq, W) -> (B, Lq, H, W) -> (B, Lq, D)
        return self.out_proj(context.transpose(1, 2).reshape(B, Lq, H * W))
