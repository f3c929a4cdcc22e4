"""Reference implementations of the graded functions, for the lessons that build on them.

A lesson uses the reference of an *earlier* lesson (lesson 05 masks attention with
`scaled_dot_product_attention`, lesson 06 builds blocks from `MultiHeadAttention`), so a
student who is stuck in one lesson is not stuck in the next. The tests of the lesson that
teaches a function forbid calling its reference here (see course_utils.testing.forbidden_calls
with a dotted name such as 'course_utils.reference.softmax').

Each function follows the contract in COURSE_DESIGN.md and names the lesson that teaches it.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Numerically stable softmax along `dim` (lesson 00)."""
    shifted = x - x.amax(dim=dim, keepdim=True)  # same shape as x, entries <= 0
    exps = torch.exp(shifted)
    return exps / exps.sum(dim=dim, keepdim=True)


def rnn_forward(
    x: torch.Tensor,
    h0: torch.Tensor,
    W_xh: torch.Tensor,
    W_hh: torch.Tensor,
    b: torch.Tensor,
):
    """Elman RNN, h_t = tanh(x_t @ W_xh + h_{t-1} @ W_hh + b); returns (outputs (B, T, H), h_last (B, H)) (lesson 01)."""
    hidden = h0
    outputs = []
    for t in range(x.shape[1]):
        hidden = torch.tanh(x[:, t] @ W_xh + hidden @ W_hh + b)  # (B, H)
        outputs.append(hidden)
    return torch.stack(outputs, dim=1), hidden  # (B, T, H), (B, H)


def scaled_dot_product_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
    dropout_p: float = 0.0,
):
    """softmax(q k^T / sqrt(d_k)) v with a boolean mask (True = may attend); returns (output, weights) (lesson 02).

    q (..., Lq, d_k), k (..., Lk, d_k), v (..., Lk, d_v) -> output (..., Lq, d_v), weights (..., Lq, Lk).
    The course's one explicit attention: the reference heads and blocks, the GPT's explicit
    path (lesson 07) and lesson 08's measurements all call it. `dropout_p` (lesson 07) drops
    that share of the weights before they average the values, as
    `F.scaled_dot_product_attention` does; the weights returned are those before dropout.
    """
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., Lq, Lk)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)  # (..., Lq, Lk)
    kept = F.dropout(weights, dropout_p) if dropout_p else weights  # (..., Lq, Lk)
    return kept @ v, weights  # (..., Lq, d_v), (..., Lq, Lk)


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


def sinusoidal_positional_encoding(seq_len: int, d_model: int) -> torch.Tensor:
    """PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(same); (seq_len, d_model) (lesson 04)."""
    positions = torch.arange(seq_len, dtype=torch.float64).unsqueeze(1)  # (T, 1)
    frequencies = 10000.0 ** (
        -torch.arange(0, d_model, 2, dtype=torch.float64) / d_model
    )  # (ceil(D/2),)
    angles = positions * frequencies  # (T, ceil(D/2))
    encoding = torch.zeros(seq_len, d_model, dtype=torch.float64)
    encoding[:, 0::2] = torch.sin(angles)
    encoding[:, 1::2] = torch.cos(angles[:, : d_model // 2])
    return encoding.to(torch.get_default_dtype())


def apply_rope(x: torch.Tensor) -> torch.Tensor:
    """Rotate each pair (x[..., 2i], x[..., 2i+1]) at position p (dim -2) by p * 10000^(-2i/d) (lesson 04)."""
    length, width = x.shape[-2], x.shape[-1]
    if width % 2:
        raise ValueError(f"apply_rope needs an even last dimension, got {width}")
    positions = torch.arange(length, dtype=torch.float64, device=x.device).unsqueeze(
        1
    )  # (T, 1)
    frequencies = 10000.0 ** (
        -torch.arange(0, width, 2, dtype=torch.float64, device=x.device) / width
    )  # (D/2,)
    angles = positions * frequencies  # (T, D/2)
    cos, sin = torch.cos(angles).to(x.dtype), torch.sin(angles).to(x.dtype)
    even, odd = x[..., 0::2], x[..., 1::2]  # (..., T, D/2)
    rotated = torch.stack(
        [even * cos - odd * sin, even * sin + odd * cos], dim=-1
    )  # (..., T, D/2, 2)
    return rotated.flatten(-2)  # (..., T, D)


def causal_mask(seq_len: int, device=None) -> torch.Tensor:
    """(T, T) bool, True on and below the diagonal: position i may attend to j <= i (lesson 05)."""
    return torch.ones(seq_len, seq_len, dtype=torch.bool, device=device).tril()


def padding_mask(lengths: torch.Tensor, max_len: int) -> torch.Tensor:
    """(B, max_len) bool, True at the real positions, padding at the end (lesson 05)."""
    lengths = torch.as_tensor(lengths)
    return torch.arange(max_len, device=lengths.device).unsqueeze(
        0
    ) < lengths.unsqueeze(1)  # (B, max_len)
