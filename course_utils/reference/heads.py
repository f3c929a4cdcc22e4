"""Splitting and merging heads, and multi-head attention (lesson 03).

The answer to `03_multi_head_attention`; see `course_utils.reference` for who may import it.
"""

from __future__ import annotations

import torch
from torch import nn

from course_utils.reference.attention import scaled_dot_product_attention


def split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    """(B, T, D) -> (B, H, T, D/H) (lesson 03)."""
    batch, length, width = x.shape
    if width % num_heads:
        raise ValueError(f"d_model={width} is not divisible by num_heads={num_heads}")
    return x.view(batch, length, num_heads, width // num_heads).transpose(
        1, 2
    )  # (B, H, T, D/H)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """(B, H, T, D/H) -> (B, T, D), the inverse of split_heads (lesson 03)."""
    batch, heads, length, head_width = x.shape
    return x.transpose(1, 2).reshape(batch, length, heads * head_width)  # (B, T, D)


class MultiHeadAttention(nn.Module):
    """Multi-head attention with q_proj, k_proj, v_proj, out_proj (lesson 03).

    forward(query (B, Lq, D), key (B, Lk, D), value (B, Lk, D), mask) -> (B, Lq, D); the last
    weights (B, H, Lq, Lk) are kept in self.attn_weights.
    """

    def __init__(self, d_model: int, num_heads: int):
        super().__init__()
        if d_model % num_heads:
            raise ValueError(
                f"d_model={d_model} is not divisible by num_heads={num_heads}"
            )
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
            mask = mask.unsqueeze(
                1
            )  # (B, Lq, Lk) -> (B, 1, Lq, Lk), shared by the heads
        context, self.attn_weights = scaled_dot_product_attention(
            q, k, v, mask
        )  # (B, H, Lq, D/H)
        return self.out_proj(merge_heads(context))  # (B, Lq, D)
