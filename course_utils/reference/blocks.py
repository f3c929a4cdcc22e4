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

The GPT of lesson 07 is built of the same pre-LN decoder block without cross-attention, in
the layout of GPT-2 (Radford et al., 2019) and nanoGPT (Karpathy, 2022): one fused q/k/v
projection and a GELU feed-forward sublayer, sized by a `GPTConfig`
(`course_utils.gpt_utils`)::

    CausalSelfAttention: qkv (d_model -> 3 d_model), proj (d_model -> d_model), resid_drop
    MLP:                 fc (d_model -> 4 d_model), GELU, proj (4 d_model -> d_model), drop
    Block:               ln1, attn (CausalSelfAttention), ln2, mlp (MLP)

Its attention runs either PyTorch's fused ``F.scaled_dot_product_attention``, which picks a
flash or memory-efficient kernel where one exists (lesson 08 measures them), or the course's
own ``softmax(QK^T / sqrt(d)) V`` (`course_utils.reference.scaled_dot_product_attention`,
lesson 02); `course_utils.gpt_utils.set_fused_attention` switches a whole model.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from course_utils.gpt_utils import GPTConfig
from course_utils.reference import (
    causal_mask,
    merge_heads,
    scaled_dot_product_attention,
    split_heads,
)
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


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention with one fused q/k/v projection, the GPT's (lessons 06 and 07).

    forward(x (B, T, D), mask=None, is_causal=False) -> (B, T, D). `mask` is boolean and
    broadcasts against (B, H, T, T), True where attention is allowed (the course convention);
    `is_causal=True` applies the causal mask without building it. With `fused=True` the work
    goes to F.scaled_dot_product_attention, otherwise to the course's explicit attention
    (`course_utils.reference.scaled_dot_product_attention`, lesson 02).
    """

    def __init__(self, config: GPTConfig, fused: bool = True):
        super().__init__()
        self.n_head, self.d_model = config.n_head, config.d_model
        self.qkv = nn.Linear(config.d_model, 3 * config.d_model)
        self.proj = nn.Linear(config.d_model, config.d_model)
        self.dropout = config.dropout
        self.resid_drop = nn.Dropout(config.dropout)
        self.fused = fused

    def qkv_heads(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Queries, keys and values of x (B, T, D), split into heads: 3 x (B, H, T, D/H)."""
        q_k_v = self.qkv(x).split(self.d_model, dim=-1)  # 3 x (B, T, D)
        return [split_heads(t, self.n_head) for t in q_k_v]  # 3 x (B, H, T, D/H)

    def attend(
        self,
        q: torch.Tensor,
        k: torch.Tensor,
        v: torch.Tensor,
        mask: torch.Tensor | None = None,
        is_causal: bool = False,
    ) -> torch.Tensor:
        """Attention of q (B, H, Lq, D/H) over k, v (B, H, Lk, D/H), fused or explicit: (B, H, Lq, D/H).

        Dropout on the weights in training mode. `is_causal` needs Lq == Lk.
        """
        if is_causal and mask is not None:
            raise ValueError("pass either a mask or is_causal=True, not both")
        drop = self.dropout if self.training else 0.0
        if self.fused:
            return F.scaled_dot_product_attention(
                q, k, v, attn_mask=mask, dropout_p=drop, is_causal=is_causal
            )  # (B, H, Lq, D/H)
        if is_causal:
            mask = causal_mask(q.shape[-2], device=q.device)  # (T, T)
        out, _ = scaled_dot_product_attention(q, k, v, mask, dropout_p=drop)
        return out  # (B, H, Lq, D/H)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None = None, is_causal: bool = False
    ) -> torch.Tensor:
        q, k, v = self.qkv_heads(x)  # 3 x (B, H, T, D/H)
        out = self.attend(q, k, v, mask=mask, is_causal=is_causal)  # (B, H, T, D/H)
        # (B, H, T, D/H) -> (B, T, D)
        return self.resid_drop(self.proj(merge_heads(out)))


class MLP(nn.Module):
    """The GPT's feed-forward sublayer: Linear(D, 4D), GELU, Linear(4D, D) (lessons 06 and 07)."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.fc = nn.Linear(config.d_model, 4 * config.d_model)
        self.proj = nn.Linear(4 * config.d_model, config.d_model)
        self.drop = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.drop(
            self.proj(F.gelu(self.fc(x)))
        )  # (..., D) -> (..., 4D) -> (..., D)


class Block(nn.Module):
    """The GPT's pre-LN decoder block without cross-attention: x + attn(ln1(x)), then x + mlp(ln2(x)) (lessons 06 and 07).

    forward(x (B, T, D), mask=None, is_causal=False) -> (B, T, D); the mask is passed to the
    attention unchanged, so a block with no mask lets every position see every other one.
    """

    def __init__(self, config: GPTConfig, fused: bool = True):
        super().__init__()
        self.ln1 = nn.LayerNorm(config.d_model)
        self.attn = CausalSelfAttention(config, fused=fused)
        self.ln2 = nn.LayerNorm(config.d_model)
        self.mlp = MLP(config)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None = None, is_causal: bool = False
    ) -> torch.Tensor:
        x = x + self.attn(self.ln1(x), mask=mask, is_causal=is_causal)  # (B, T, D)
        return x + self.mlp(self.ln2(x))  # (B, T, D)
