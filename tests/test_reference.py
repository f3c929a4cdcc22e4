"""course_utils.reference against PyTorch's own implementations and the design's formulas."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from course_utils import reference
from course_utils.testing import random_tensor


def test_softmax_matches_torch_on_any_dim_and_large_values():
    x = random_tensor(3, 4, 5, seed=0, scale=300.0, dtype=torch.float64)
    for dim in (0, 1, -1):
        torch.testing.assert_close(reference.softmax(x, dim), torch.softmax(x, dim))


def test_rnn_forward_matches_torch_rnn():
    torch.manual_seed(0)
    rnn = torch.nn.RNN(3, 4, batch_first=True, dtype=torch.float64)
    x, h0 = (
        torch.randn(2, 6, 3, dtype=torch.float64),
        torch.randn(2, 4, dtype=torch.float64),
    )
    outputs, last = reference.rnn_forward(
        x, h0, rnn.weight_ih_l0.T, rnn.weight_hh_l0.T, rnn.bias_ih_l0 + rnn.bias_hh_l0
    )
    expected_outputs, expected_last = rnn(x, h0.unsqueeze(0))
    torch.testing.assert_close(outputs, expected_outputs)
    torch.testing.assert_close(last, expected_last[0])


@pytest.mark.parametrize("with_mask", [False, True])
def test_attention_matches_functional_sdpa(with_mask):
    q = random_tensor(2, 3, 5, 8, seed=1, dtype=torch.float64)  # (..., Lq, d_k)
    k = random_tensor(2, 3, 7, 8, seed=2, dtype=torch.float64)  # (..., Lk, d_k)
    v = random_tensor(2, 3, 7, 6, seed=3, dtype=torch.float64)  # (..., Lk, d_v)
    mask = (random_tensor(5, 7, seed=4) > -0.5) if with_mask else None
    if mask is not None:
        mask[:, 0] = True  # no fully masked row
    output, weights = reference.scaled_dot_product_attention(q, k, v, mask)
    torch.testing.assert_close(
        output, F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    )
    torch.testing.assert_close(
        weights.sum(-1), torch.ones(2, 3, 5, dtype=torch.float64)
    )


def test_attention_dropout_zeroes_or_rescales_each_weight():
    """With v the identity, the output is the weights after dropout: each 0 or w / (1 - p)."""
    q = random_tensor(2, 6, 4, seed=5, dtype=torch.float64)  # (B, Lq, d_k)
    k = random_tensor(2, 9, 4, seed=6, dtype=torch.float64)  # (B, Lk, d_k)
    identity = torch.eye(9, dtype=torch.float64).expand(2, 9, 9)  # (B, Lk, Lk)
    torch.manual_seed(0)
    dropped, weights = reference.scaled_dot_product_attention(
        q, k, identity, dropout_p=0.25
    )
    zeroed = dropped == 0
    assert 0 < int(zeroed.sum()) < zeroed.numel()
    torch.testing.assert_close(dropped[~zeroed], weights[~zeroed] / 0.75)
    torch.testing.assert_close(
        weights, reference.scaled_dot_product_attention(q, k, identity)[1]
    )


def test_split_and_merge_heads_are_inverse_and_keep_heads_contiguous():
    x = torch.arange(2 * 3 * 8, dtype=torch.float64).reshape(2, 3, 8)  # (B, T, D)
    heads = reference.split_heads(x, 4)  # (B, H, T, D/H)
    assert heads.shape == (2, 4, 3, 2)
    torch.testing.assert_close(heads[0, 1, 2], x[0, 2, 2:4])
    torch.testing.assert_close(reference.merge_heads(heads), x)


def test_multi_head_attention_matches_torch():
    torch.manual_seed(0)
    ours = reference.MultiHeadAttention(16, 4).double()
    theirs = torch.nn.MultiheadAttention(16, 4, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        theirs.in_proj_weight.copy_(
            torch.cat([ours.q_proj.weight, ours.k_proj.weight, ours.v_proj.weight])
        )
        theirs.in_proj_bias.copy_(
            torch.cat([ours.q_proj.bias, ours.k_proj.bias, ours.v_proj.bias])
        )
        theirs.out_proj.weight.copy_(ours.out_proj.weight)
        theirs.out_proj.bias.copy_(ours.out_proj.bias)
    query, memory = (
        torch.randn(2, 5, 16, dtype=torch.float64),
        torch.randn(2, 7, 16, dtype=torch.float64),
    )
    allowed = torch.rand(5, 7) > 0.3
    allowed[:, 0] = True
    output = ours(query, memory, memory, mask=allowed)
    expected, expected_weights = theirs(
        query, memory, memory, attn_mask=~allowed, average_attn_weights=False
    )
    torch.testing.assert_close(output, expected)
    torch.testing.assert_close(ours.attn_weights, expected_weights)


def test_sinusoidal_encoding_follows_the_formula():
    encoding = reference.sinusoidal_positional_encoding(50, 16)
    p, i = 7, 3
    angle = p / 10000 ** (2 * i / 16)
    assert encoding.shape == (50, 16)
    assert math.isclose(encoding[p, 2 * i].item(), math.sin(angle), abs_tol=1e-6)
    assert math.isclose(encoding[p, 2 * i + 1].item(), math.cos(angle), abs_tol=1e-6)
    assert reference.sinusoidal_positional_encoding(4, 5).shape == (
        4,
        5,
    )  # odd width works


def test_rope_dot_products_depend_only_on_offset():
    q, k = (
        random_tensor(1, 8, seed=5, dtype=torch.float64),
        random_tensor(1, 8, seed=6, dtype=torch.float64),
    )

    def score(p_q, p_k):
        qs = reference.apply_rope(q.expand(20, 8))[p_q]  # (D,) at position p_q
        ks = reference.apply_rope(k.expand(20, 8))[p_k]
        return (qs @ ks).item()

    assert math.isclose(score(3, 1), score(15, 13), rel_tol=1e-9)
    assert not math.isclose(score(3, 1), score(3, 2), rel_tol=1e-3)
    x = random_tensor(2, 5, 8, seed=7, dtype=torch.float64)
    torch.testing.assert_close(
        reference.apply_rope(x).norm(dim=-1), x.norm(dim=-1)
    )  # rotations keep length


def test_masks():
    assert reference.causal_mask(3).tolist() == [
        [True, False, False],
        [True, True, False],
        [True, True, True],
    ]
    assert reference.padding_mask(torch.tensor([1, 3]), 3).tolist() == [
        [True, False, False],
        [True, True, True],
    ]
