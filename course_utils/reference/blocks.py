"""Reference transformer blocks: feed-forward sublayer, encoder block, decoder block (lesson 06).

Pre-LN by default (Xiong et al., 2020): each sublayer reads a normalised copy of the residual
stream and adds its output back, ``x = x + sublayer(norm(x))``. The attention is the course's
own `course_utils.reference.MultiHeadAttention` (lesson 03), so the blocks follow the course's
mask convention: a boolean mask is True where attention is *allowed*.

Lesson 06 teaches these; lessons 07 and 09 build models from them. Layout of the modules
(the attribute names are part of the contract, so weights can be copied in and out)::

    FeedForward:  linear1 (d_model -> d_ff), ReLU, dropout, linear2 (d_ff -> d_model)
    EncoderBlock: norm1, self_attn, norm2, ff, dropout
    DecoderBlock: norm1, self_attn, norm2, cross_attn, norm3, ff, dropout

The trusted twins that tests compare these blocks with, made of `torch.nn` layers, are in
`course_utils.torch_twins`.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from course_utils.reference.heads import MultiHeadAttention

_ACTIVATIONS = {"relu": F.relu, "gelu": F.gelu}


def _activation(name: str):
    if name not in _ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {sorted(_ACTIVATIONS)}, got {name!r}"
        )
    return _ACTIVATIONS[name]


class FeedForward(nn.Module):
    """Position-wise feed-forward sublayer, linear2(dropout(relu(linear1(x)))) (lesson 06).

    (Vaswani et al., 2017, section 3.3.) (..., d_model) -> (..., d_model). `activation` may be
    'relu' (the default, as in the paper) or 'gelu' (as in BERT and GPT).
    """

    def __init__(
        self, d_model: int, d_ff: int, dropout: float = 0.0, *, activation: str = "relu"
    ):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)
        self.activation = activation
        self._act = _activation(activation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear2(
            self.dropout(self._act(self.linear1(x)))
        )  # (..., d_ff) -> (..., d_model)


class EncoderBlock(nn.Module):
    """Self-attention and feed-forward sublayers, each with a residual connection (lesson 06).

    Pre-LN (the default)::

        x = x + dropout(self_attn(norm1(x), norm1(x), norm1(x), mask))
        x = x + dropout(ff(norm2(x)))

    With ``norm_first=False`` it is the post-LN block of Vaswani et al. (2017):
    ``x = norm1(x + dropout(self_attn(x, x, x, mask)))``, ``x = norm2(x + dropout(ff(x)))``.
    forward(x (B, T, d_model), mask broadcastable to (B, H, T, T), True = may attend) -> (B, T, d_model).
    The last attention weights stay in ``self.self_attn.attn_weights``.
    """

    def __init__(
        self,
        d_model: int,
        num_heads: int,
        d_ff: int,
        dropout: float = 0.0,
        *,
        norm_first: bool = True,
        activation: str = "relu",
        layer_norm_eps: float = 1e-5,
    ):
        super().__init__()
        self.norm_first = norm_first
        self.norm1 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.self_attn = MultiHeadAttention(d_model, num_heads)
        self.norm2 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.ff = FeedForward(d_model, d_ff, dropout, activation=activation)
        self.dropout = nn.Dropout(dropout)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        if self.norm_first:
            h = self.norm1(x)
            x = x + self.dropout(self.self_attn(h, h, h, mask))  # (B, T, D)
            return x + self.dropout(self.ff(self.norm2(x)))  # (B, T, D)
        x = self.norm1(x + self.dropout(self.self_attn(x, x, x, mask)))
        return self.norm2(x + self.dropout(self.ff(x)))


class DecoderBlock(nn.Module):
    """Masked self-attention, cross-attention to the encoder's memory, feed-forward (lesson 06).

    Pre-LN (the default)::

        x = x + dropout(self_attn(norm1(x), norm1(x), norm1(x), self_mask))
        x = x + dropout(cross_attn(norm2(x), memory, memory, memory_mask))
        x = x + dropout(ff(norm3(x)))

    The memory is used as it comes (a pre-LN encoder stack ends with its own LayerNorm).
    ``norm_first=False`` gives the post-LN block of Vaswani et al. (2017).
    forward(x (B, T, D), memory (B, S, D), self_mask ~ (B, H, T, T), memory_mask ~ (B, H, T, S)) -> (B, T, D).
    The last weights stay in ``self.self_attn.attn_weights`` and ``self.cross_attn.attn_weights``.
    """

    def __init__(
        self,
        d_model: int,
        num_heads: int,
        d_ff: int,
        dropout: float = 0.0,
        *,
        norm_first: bool = True,
        activation: str = "relu",
        layer_norm_eps: float = 1e-5,
    ):
        super().__init__()
        self.norm_first = norm_first
        self.norm1 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.self_attn = MultiHeadAttention(d_model, num_heads)
        self.norm2 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.cross_attn = MultiHeadAttention(d_model, num_heads)
        self.norm3 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.ff = FeedForward(d_model, d_ff, dropout, activation=activation)
        self.dropout = nn.Dropout(dropout)

    def forward(
        self,
        x: torch.Tensor,
        memory: torch.Tensor,
        self_mask: torch.Tensor | None = None,
        memory_mask: torch.Tensor | None = None,
    ) -> torch.Tensor:
        if self.norm_first:
            h = self.norm1(x)
            x = x + self.dropout(self.self_attn(h, h, h, self_mask))  # (B, T, D)
            x = x + self.dropout(
                self.cross_attn(self.norm2(x), memory, memory, memory_mask)
            )  # (B, T, D)
            return x + self.dropout(self.ff(self.norm3(x)))  # (B, T, D)
        x = self.norm1(x + self.dropout(self.self_attn(x, x, x, self_mask)))
        x = self.norm2(
            x + self.dropout(self.cross_attn(x, memory, memory, memory_mask))
        )
        return self.norm3(x + self.dropout(self.ff(x)))
