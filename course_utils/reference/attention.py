"""Scaled dot-product attention with a boolean mask (lesson 02).

The answer to `02_dot_product_attention`; see `course_utils.reference` for who may import it.
"""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F


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
