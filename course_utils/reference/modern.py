"""Reference answers of lesson 10 (10_modern_transformer): today's transformer pieces.

- `rms_norm` / `RMSNorm`: root-mean-square normalisation with a gain and no mean
  subtraction (Zhang & Sennrich, 2019), in place of LayerNorm;
- `swiglu` / `SwiGLU`: the gated feed-forward sublayer ``(SiLU(x W_gate) * x W_up) W_down``
  (Shazeer, 2020, "GLU Variants Improve Transformer");
- `qk_norm_attention`: queries and keys RMS-normalised, each with a learned gain, before
  the dot product (Henry et al., 2020; Dehghani et al., 2023), which bounds the logits;
- `newton_schulz`: the quintic Newton-Schulz iteration that orthogonalises an update
  matrix in Muon (Jordan et al., 2024), with the coefficients of torch.optim.Muon.

The GPT the lesson trains with these pieces, and its Muon step, are in
`course_utils.modern_gpt`, which holds no answer. The lesson forbids calling these
references inside its exercises.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from course_utils.modern_gpt import NS_COEFFICIENTS


def rms_norm(
    x: torch.Tensor, weight: torch.Tensor | None = None, eps: float = 1e-6
) -> torch.Tensor:
    """x / sqrt(mean(x^2 over the last dim) + eps) * weight (lesson 10)."""
    mean_square = x.pow(2).mean(dim=-1, keepdim=True)  # (..., 1)
    normed = x * torch.rsqrt(mean_square + eps)  # (..., D)
    return normed if weight is None else normed * weight


class RMSNorm(nn.Module):
    """RMS normalisation over the last dimension with a learned gain, initialised to 1 (lesson 10)."""

    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return rms_norm(x, self.weight, self.eps)


def swiglu(
    x: torch.Tensor, w_gate: torch.Tensor, w_up: torch.Tensor, w_down: torch.Tensor
) -> torch.Tensor:
    """(SiLU(x @ w_gate) * (x @ w_up)) @ w_down: x (..., D), w_gate and w_up (D, H), w_down (H, D) (lesson 10)."""
    return (F.silu(x @ w_gate) * (x @ w_up)) @ w_down  # (..., H) -> (..., D)


class SwiGLU(nn.Module):
    """The gated feed-forward sublayer with linear layers gate, up (D -> H) and down (H -> D) (lesson 10)."""

    def __init__(self, d_model: int, hidden: int, bias: bool = False, dropout=0.0):
        super().__init__()
        self.gate = nn.Linear(d_model, hidden, bias=bias)
        self.up = nn.Linear(d_model, hidden, bias=bias)
        self.down = nn.Linear(hidden, d_model, bias=bias)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = F.silu(self.gate(x)) * self.up(x)  # (..., D) -> (..., H)
        return self.drop(self.down(hidden))  # (..., D)


def qk_norm_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    q_gain: torch.Tensor,
    k_gain: torch.Tensor,
    mask: torch.Tensor | None = None,
    eps: float = 1e-6,
):
    """Attention on RMS-normalised queries and keys, each times its gain (d,) (lesson 10).

    q (..., Lq, d), k (..., Lk, d), v (..., Lk, d_v) -> (output (..., Lq, d_v), weights
    (..., Lq, Lk)); the logits are rms_norm(q) g_q . rms_norm(k) g_k / sqrt(d), the mask
    is boolean and True where attention is allowed.
    """
    q_hat = rms_norm(q, q_gain, eps)  # (..., Lq, d)
    k_hat = rms_norm(k, k_gain, eps)  # (..., Lk, d)
    logits = q_hat @ k_hat.transpose(-2, -1) / q.shape[-1] ** 0.5  # (..., Lq, Lk)
    if mask is not None:
        logits = logits.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(logits, dim=-1)  # (..., Lq, Lk)
    return weights @ v, weights  # (..., Lq, d_v), (..., Lq, Lk)


def newton_schulz(
    g: torch.Tensor, steps: int = 5, eps: float = 1e-7, coefficients=NS_COEFFICIENTS
) -> torch.Tensor:
    """Muon's quintic Newton-Schulz orthogonalisation of a 2-D matrix, in its own dtype (lesson 10).

    X = G / (||G||_F + eps), transposed when G has more rows than columns; then `steps`
    times A = X X^T, X = a X + (b A + c A^2) X; transposed back. Its singular values land
    near 1 (about 0.68 to 1.14 after 5 steps for those above 0.01 of the
    Frobenius norm), not exactly on it.
    """
    a, b, c = coefficients
    tall = g.shape[0] > g.shape[1]
    x = g.T if tall else g  # (m, n) with m <= n
    x = x / (x.norm() + eps)
    for _ in range(steps):
        gram = x @ x.T  # (m, m)
        x = a * x + (b * gram + c * gram @ gram) @ x  # (m, n)
    return x.T if tall else x


__all__ = [
    "NS_COEFFICIENTS",
    "RMSNorm",
    "SwiGLU",
    "newton_schulz",
    "qk_norm_attention",
    "rms_norm",
    "swiglu",
]
