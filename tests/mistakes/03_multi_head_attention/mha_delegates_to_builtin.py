# replaces: multi_head_attention
# mistake: keeps the four named layers but hands the computation to torch.nn.MultiheadAttention
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
        weight = torch.cat([self.q_proj.weight, self.k_proj.weight, self.v_proj.weight])
        bias = torch.cat([self.q_proj.bias, self.k_proj.bias, self.v_proj.bias])
        attn_mask = None
        if mask is not None:
            if mask.dim() == 3:
                mask = mask.unsqueeze(1)
            if mask.dim() == 2:
                attn_mask = ~mask
            else:
                B, Lq, Lk = query.shape[0], query.shape[1], key.shape[1]
                attn_mask = ~mask.expand(B, self.num_heads, Lq, Lk).reshape(
                    B * self.num_heads, Lq, Lk
                )
        out, self.attn_weights = F.multi_head_attention_forward(
            query.transpose(0, 1),
            key.transpose(0, 1),
            value.transpose(0, 1),
            self.d_model,
            self.num_heads,
            weight,
            bias,
            None,
            None,
            False,
            0.0,
            self.out_proj.weight,
            self.out_proj.bias,
            attn_mask=attn_mask,
            need_weights=True,
            average_attn_weights=False,
        )
        return out.transpose(0, 1)
