"""Trusted twins of the course's blocks, made of torch.nn parts, for tests (lesson 06 and the lessons after it).

`to_torch_encoder_layer` and `to_torch_decoder_layer` copy the weights of a block shaped like
lesson 06's (norm1, self_attn with q_proj/k_proj/v_proj/out_proj, norm2, [cross_attn, norm3,]
ff with linear1/linear2) into the equivalent `torch.nn.TransformerEncoderLayer` /
`TransformerDecoderLayer`; `torch_mask` turns a course mask (True = may attend) into
PyTorch's (True = blocked) form. Nothing here is an answer: it is PyTorch's own layer with
the student's weights, so visible tests may use it.
"""

from __future__ import annotations

import torch
from torch import nn


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
