"""Unit tests for course_utils.reference.blocks (the reference blocks of lesson 06) and their
trusted twins in course_utils.torch_twins."""

import pytest
import torch
from torch import nn

from course_utils.reference import MultiHeadAttention, causal_mask, padding_mask
from course_utils.reference.blocks import DecoderBlock, EncoderBlock, FeedForward
from course_utils.torch_twins import (
    to_torch_decoder_layer,
    to_torch_encoder_layer,
    torch_decoder_forward,
    torch_encoder_forward,
    torch_mask,
)


def _randomise(module: nn.Module, seed: int) -> nn.Module:
    """Random weights everywhere, LayerNorm gains and biases included, so nothing is trivially 1 or 0."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.copy_(
                torch.randn(parameter.shape, generator=generator, dtype=torch.float64)
                * 0.3
            )
    return module


def _inputs(*shape, seed=0):
    return torch.randn(
        *shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64
    )


def test_feedforward_shape_and_formula():
    ff = _randomise(FeedForward(8, 32).double(), 1)
    x = _inputs(2, 3, 5, 8)
    out = ff(x)
    assert out.shape == (2, 3, 5, 8)
    expected = (
        torch.relu(x @ ff.linear1.weight.T + ff.linear1.bias) @ ff.linear2.weight.T
        + ff.linear2.bias
    )
    torch.testing.assert_close(out, expected)


def test_feedforward_gelu_and_bad_activation():
    ff = FeedForward(4, 8, activation="gelu").double()
    x = _inputs(3, 4)
    torch.testing.assert_close(ff(x), ff.linear2(nn.functional.gelu(ff.linear1(x))))
    with pytest.raises(ValueError):
        FeedForward(4, 8, activation="tanh")


def test_feedforward_dropout_only_in_training():
    ff = FeedForward(16, 64, dropout=0.5).double()
    x = _inputs(4, 16)
    ff.eval()
    torch.testing.assert_close(ff(x), ff(x))
    ff.train()
    torch.manual_seed(0)
    assert not torch.allclose(ff(x), ff(x))


@pytest.mark.parametrize("norm_first", [True, False])
@pytest.mark.parametrize("with_mask", [False, True])
def test_encoder_matches_torch(norm_first, with_mask):
    block = _randomise(
        EncoderBlock(12, 3, 20, norm_first=norm_first).double(), 2
    ).eval()
    x = _inputs(2, 6, 12, seed=3)
    mask = None
    if with_mask:
        mask = (
            causal_mask(6) & padding_mask(torch.tensor([6, 4]), 6)[:, None, None, :]
        )  # (B, 1, T, T)
    ours = block(x, mask)
    theirs = torch_encoder_forward(block, x, mask, norm_first=norm_first)
    torch.testing.assert_close(ours, theirs)


@pytest.mark.parametrize("norm_first", [True, False])
def test_decoder_matches_torch(norm_first):
    block = _randomise(DecoderBlock(8, 2, 16, norm_first=norm_first).double(), 4).eval()
    x, memory = _inputs(3, 5, 8, seed=5), _inputs(3, 7, 8, seed=6)
    self_mask = causal_mask(5)
    memory_mask = padding_mask(torch.tensor([7, 3, 1]), 7)[
        :, None, None, :
    ]  # (B, 1, 1, S)
    ours = block(x, memory, self_mask, memory_mask)
    theirs = torch_decoder_forward(
        block, x, memory, self_mask, memory_mask, norm_first=norm_first
    )
    torch.testing.assert_close(ours, theirs)
    torch.testing.assert_close(
        block(x, memory), torch_decoder_forward(block, x, memory, norm_first=norm_first)
    )


def test_gelu_blocks_match_torch():
    block = _randomise(
        EncoderBlock(8, 4, 16, activation="gelu", layer_norm_eps=1e-12).double(), 7
    ).eval()
    x = _inputs(2, 3, 8)
    torch.testing.assert_close(
        block(x), torch_encoder_forward(block, x, activation="gelu")
    )
    assert to_torch_encoder_layer(block, activation="gelu").norm1.eps == 1e-12


def test_residual_path_is_identity_when_sublayers_output_zero():
    block = _randomise(DecoderBlock(8, 2, 16).double(), 8)
    with torch.no_grad():
        for attention in (block.self_attn, block.cross_attn):
            attention.out_proj.weight.zero_()
            attention.out_proj.bias.zero_()
        block.ff.linear2.weight.zero_()
        block.ff.linear2.bias.zero_()
    x, memory = _inputs(2, 4, 8), _inputs(2, 3, 8, seed=1)
    torch.testing.assert_close(block(x, memory), x)


def test_masks_reach_attention_and_cross_attention_reads_memory():
    block = _randomise(DecoderBlock(8, 2, 16).double(), 9).eval()
    x, memory = _inputs(1, 4, 8), _inputs(1, 5, 8, seed=1)
    block(
        x, memory, causal_mask(4), padding_mask(torch.tensor([2]), 5)[:, None, None, :]
    )
    assert torch.all(block.self_attn.attn_weights[..., 0, 1:] == 0)
    assert torch.all(block.cross_attn.attn_weights[..., 2:] == 0)
    assert block.cross_attn.attn_weights.shape == (1, 2, 4, 5)
    changed = memory.clone()
    changed[0, 0] += 1.0
    assert not torch.allclose(block(x, memory), block(x, changed))


def test_encoder_block_causal_mask_means_no_future_influence():
    block = _randomise(EncoderBlock(8, 2, 16).double(), 10)
    x = _inputs(1, 6, 8).requires_grad_(True)
    block(x, causal_mask(6))[0, 2].sum().backward()
    assert torch.all(x.grad[0, 3:] == 0) and torch.any(x.grad[0, :3] != 0)


def test_torch_mask_layout():
    mask = padding_mask(torch.tensor([2, 3]), 3)[:, None, None, :]  # (B, 1, 1, S)
    converted = torch_mask(mask, num_heads=2, batch=2, len_q=4, len_k=3)
    assert converted.shape == (4, 4, 3)
    assert converted[0, 0].tolist() == [False, False, True] and converted[
        3, 0
    ].tolist() == [False, False, False]
    assert torch_mask(None, 1, 1, 1, 1) is None


def test_blocks_use_course_attention_and_layout():
    encoder, decoder = EncoderBlock(8, 2, 16), DecoderBlock(8, 2, 16)
    assert isinstance(encoder.self_attn, MultiHeadAttention) and isinstance(
        decoder.cross_attn, MultiHeadAttention
    )
    assert {name for name, _ in encoder.named_children()} == {
        "norm1",
        "self_attn",
        "norm2",
        "ff",
        "dropout",
    }
    assert to_torch_decoder_layer(decoder).training is False


def test_float32_cpu_agreement_with_default_init():
    torch.manual_seed(0)
    block = EncoderBlock(16, 4, 32).eval()
    x = torch.randn(2, 5, 16)
    torch.testing.assert_close(
        block(x), torch_encoder_forward(block, x), atol=1e-5, rtol=1e-5
    )
