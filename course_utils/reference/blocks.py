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

`to_torch_encoder_layer` and `to_torch_decoder_layer` copy a block's weights into the
equivalent `torch.nn.TransformerEncoderLayer` / `TransformerDecoderLayer`, the trusted
reference that the tests compare against; `torch_mask` turns a course mask into PyTorch's
(True = blocked) form.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from course_utils.reference import MultiHeadAttention

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


# ---------------------------------------------------------------------------------------
# Trusted references made of torch.nn parts, for tests (lesson 06 and the lessons after it)
# ---------------------------------------------------------------------------------------


def torch_mask(
    mask: torch.Tensor | None, num_heads: int, batch: int, len_q: int, len_k: int
) -> torch.Tensor | None:
    """A course mask (True = may attend, broadcastable to (B, H, Lq, Lk)) as PyTorch's (B*H, Lq, Lk), True = blocked (lesson 06)."""
    if mask is None:
        return None
    full = torch.as_tensor(mask, dtype=torch.bool)
    while full.dim() < 4:
        full = full.unsqueeze(0)  # (..., Lq, Lk) -> (1, ..., Lq, Lk)
    full = full.expand(batch, num_heads, len_q, len_k)  # (B, H, Lq, Lk)
    return ~full.reshape(
        batch * num_heads, len_q, len_k
    )  # (B, H, Lq, Lk) -> (B*H, Lq, Lk)


def _copy_attention(source: nn.Module, target: nn.MultiheadAttention) -> None:
    with torch.no_grad():
        target.in_proj_weight.copy_(
            torch.cat(
                [source.q_proj.weight, source.k_proj.weight, source.v_proj.weight]
            )
        )
        target.in_proj_bias.copy_(
            torch.cat([source.q_proj.bias, source.k_proj.bias, source.v_proj.bias])
        )
        target.out_proj.weight.copy_(source.out_proj.weight)
        target.out_proj.bias.copy_(source.out_proj.bias)


def _copy_linear_norm(pairs) -> None:
    with torch.no_grad():
        for source, target in pairs:
            target.weight.copy_(source.weight)
            target.bias.copy_(source.bias)


def _layer_kwargs(
    block: nn.Module, d_ff: int, num_heads: int, norm_first: bool, activation: str
):
    d_model = block.norm1.normalized_shape[0]
    first = next(block.parameters())
    return dict(
        d_model=d_model,
        nhead=num_heads,
        dim_feedforward=d_ff,
        dropout=0.0,
        activation=activation,
        layer_norm_eps=block.norm1.eps,
        batch_first=True,
        norm_first=norm_first,
        dtype=first.dtype,
        device=first.device,
    )


def to_torch_encoder_layer(
    block: nn.Module,
    num_heads: int | None = None,
    *,
    norm_first: bool = True,
    activation: str = "relu",
) -> nn.TransformerEncoderLayer:
    """An `nn.TransformerEncoderLayer` carrying the weights of an EncoderBlock-shaped module (lesson 06).

    `block` needs the attributes norm1, self_attn (q_proj, k_proj, v_proj, out_proj), norm2 and
    ff (linear1, linear2). Dropout is 0 and the layer is in eval mode. Call it as
    ``layer(x, src_mask=torch_mask(mask, H, B, T, T))``.
    """
    num_heads = num_heads if num_heads is not None else block.self_attn.num_heads
    layer = nn.TransformerEncoderLayer(
        **_layer_kwargs(
            block, block.ff.linear1.out_features, num_heads, norm_first, activation
        )
    )
    _copy_attention(block.self_attn, layer.self_attn)
    _copy_linear_norm(
        [
            (block.ff.linear1, layer.linear1),
            (block.ff.linear2, layer.linear2),
            (block.norm1, layer.norm1),
            (block.norm2, layer.norm2),
        ]
    )
    return layer.eval()


def to_torch_decoder_layer(
    block: nn.Module,
    num_heads: int | None = None,
    *,
    norm_first: bool = True,
    activation: str = "relu",
) -> nn.TransformerDecoderLayer:
    """An `nn.TransformerDecoderLayer` carrying the weights of a DecoderBlock-shaped module (lesson 06).

    `block` needs norm1, self_attn, norm2, cross_attn, norm3 and ff. Call it as
    ``layer(x, memory, tgt_mask=torch_mask(...), memory_mask=torch_mask(...))``.
    """
    num_heads = num_heads if num_heads is not None else block.self_attn.num_heads
    layer = nn.TransformerDecoderLayer(
        **_layer_kwargs(
            block, block.ff.linear1.out_features, num_heads, norm_first, activation
        )
    )
    _copy_attention(block.self_attn, layer.self_attn)
    _copy_attention(block.cross_attn, layer.multihead_attn)
    _copy_linear_norm(
        [
            (block.ff.linear1, layer.linear1),
            (block.ff.linear2, layer.linear2),
            (block.norm1, layer.norm1),
            (block.norm2, layer.norm2),
            (block.norm3, layer.norm3),
        ]
    )
    return layer.eval()


def torch_encoder_forward(
    block: nn.Module, x: torch.Tensor, mask: torch.Tensor | None = None, **kwargs
) -> torch.Tensor:
    """Run `x` through the torch.nn twin of an encoder block, course mask in (lesson 06)."""
    layer = to_torch_encoder_layer(block, **kwargs)
    batch, length, _ = x.shape
    heads = layer.self_attn.num_heads
    return layer(x, src_mask=torch_mask(mask, heads, batch, length, length))


def torch_decoder_forward(
    block: nn.Module,
    x: torch.Tensor,
    memory: torch.Tensor,
    self_mask=None,
    memory_mask=None,
    **kwargs,
) -> torch.Tensor:
    """Run `x` and `memory` through the torch.nn twin of a decoder block, course masks in (lesson 06)."""
    layer = to_torch_decoder_layer(block, **kwargs)
    batch, length, _ = x.shape
    heads = layer.self_attn.num_heads
    return layer(
        x,
        memory,
        tgt_mask=torch_mask(self_mask, heads, batch, length, length),
        memory_mask=torch_mask(memory_mask, heads, batch, length, memory.shape[1]),
    )
