# replaces: multi_head_attention
# mistake: builds a torch.nn.MultiheadAttention inside and calls it, copying the four layers' weights in
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.d_model, self.num_heads = d_model, num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)
        self.attn_weights = None

    def forward(self, query, key, value, mask=None):
        inner = nn.MultiheadAttention(
            self.d_model, self.num_heads, batch_first=True, dtype=query.dtype
        )
        inner.in_proj_weight = nn.Parameter(
            torch.cat([self.q_proj.weight, self.k_proj.weight, self.v_proj.weight])
        )
        inner.in_proj_bias = nn.Parameter(
            torch.cat([self.q_proj.bias, self.k_proj.bias, self.v_proj.bias])
        )
        inner.out_proj = self.out_proj
        attn_mask = None if mask is None else ~mask if mask.dim() == 2 else None
        out, self.attn_weights = inner(
            query, key, value, attn_mask=attn_mask, average_attn_weights=False
        )
        return out
