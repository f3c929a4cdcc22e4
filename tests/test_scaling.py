"""Unit tests of course_utils.scaling (lesson 08): memory counting, fused-kernel selection,
banded and linear attention."""

from __future__ import annotations

import math

import pytest
import torch
from torch.nn import functional as F

from course_utils import reference
from course_utils.scaling import (
    attention_backends,
    banded_attention,
    elu_feature_map,
    largest_intermediate,
    linear_attention_quadratic,
    naive_attention,
    peak_memory,
    run_backend,
    training_step_cost,
)
from course_utils.testing import ForbiddenCall, forbidden_calls


def test_peak_memory_counts_live_tensors():
    x = torch.randn(256, 256)  # exists before: not counted
    result, peak = peak_memory(lambda: x @ x)
    assert result.shape == (256, 256)
    assert peak == 256 * 256 * 4

    def two_alive():
        a = torch.ones(1000)  # 4000 bytes
        b = torch.ones(2000)  # 8000 bytes, both alive
        return a.sum() + b.sum()

    def one_at_a_time():
        total = torch.zeros(())
        for _ in range(5):
            total = (
                total + torch.ones(1000).sum()
            )  # each 4000-byte tensor dies before the next
        return total

    assert peak_memory(two_alive)[1] >= 12000
    assert 4000 <= peak_memory(one_at_a_time)[1] < 8000


def test_peak_memory_of_attention_is_quadratic():
    peaks = []
    for length in (128, 256):
        q = k = v = torch.randn(1, 2, length, 16)
        peaks.append(peak_memory(lambda q=q, k=k, v=v: naive_attention(q, k, v))[1])
    assert peaks[0] >= 2 * 128 * 128 * 4  # scores for two heads
    assert 3.5 < peaks[1] / peaks[0] < 4.5  # doubling the length quadruples the memory


def test_views_are_not_counted_twice():
    def views():
        a = torch.ones(1000)
        b = a.view(10, 100)
        c = b.transpose(0, 1)
        return a, b, c

    assert peak_memory(views)[1] == 4000


def test_largest_intermediate():
    q = k = v = torch.randn(1, 50, 8)
    _, shape = largest_intermediate(lambda: naive_attention(q, k, v))
    assert shape == (1, 50, 50)
    _, shape = largest_intermediate(lambda: elu_feature_map(k).transpose(-2, -1) @ v)
    assert math.prod(shape) <= 50 * 8


def test_backends_and_run_backend():
    backends = attention_backends()
    assert {"math", "flash", "efficient"} <= set(backends)
    q, k, v = (torch.randn(1, 2, 32, 16) for _ in range(3))
    expected = naive_attention(q, k, v, torch.ones(32, 32, dtype=torch.bool).tril())
    out = run_backend("math", q, k, v, is_causal=True)
    assert torch.allclose(out, expected, atol=1e-5)
    if not torch.cuda.is_available():
        assert run_backend("efficient", q, k, v, is_causal=True) is None


def test_run_backend_is_silent(recwarn):
    q = k = v = torch.randn(1, 1, 8, 4)
    run_backend("cudnn", q, k, v)
    assert len(recwarn) == 0


@pytest.mark.parametrize(
    "length,window,block",
    [(1, 1, None), (10, 1, 3), (17, 4, None), (17, 4, 5), (30, 30, 7), (12, 50, 4)],
)
def test_banded_attention_equals_masked_attention(length, window, block):
    q, k = (
        torch.randn(2, 3, length, 8, dtype=torch.float64),
        torch.randn(2, 3, length, 8, dtype=torch.float64),
    )
    v = torch.randn(2, 3, length, 5, dtype=torch.float64)
    rows, cols = torch.arange(length).unsqueeze(1), torch.arange(length).unsqueeze(0)
    mask = (cols <= rows) & (rows - cols < window)
    assert torch.allclose(
        banded_attention(q, k, v, window, block),
        naive_attention(q, k, v, mask),
        atol=1e-12,
    )


def test_banded_attention_memory_is_linear():
    peaks = []
    for length in (512, 1024):
        q = k = v = torch.randn(1, 1, length, 16)
        peaks.append(
            peak_memory(lambda q=q, k=k, v=v: banded_attention(q, k, v, 32, block=64))[
                1
            ]
        )
    assert peaks[1] / peaks[0] < 2.5


def test_linear_attention_quadratic_reference():
    q, k, v = (
        torch.randn(2, 4, 3, dtype=torch.float64),
        torch.randn(2, 6, 3, dtype=torch.float64),
        torch.randn(2, 6, 2, dtype=torch.float64),
    )
    phi_q, phi_k = F.elu(q) + 1, F.elu(k) + 1
    expected = torch.stack(
        [
            torch.stack(
                [
                    sum((phi_q[b, i] @ phi_k[b, j]) * v[b, j] for j in range(6))
                    / sum(phi_q[b, i] @ phi_k[b, j] for j in range(6))
                    for i in range(4)
                ]
            )
            for b in range(2)
        ]
    )
    assert torch.allclose(linear_attention_quadratic(q, k, v), expected, atol=1e-12)


@pytest.mark.parametrize(
    "attention",
    [
        lambda q, k, v: naive_attention(q, k, v),
        lambda q, k, v: banded_attention(q, k, v, window=3, block=2),
    ],
    ids=["naive", "banded"],
)
def test_explicit_attention_is_the_course_reference(attention):
    """naive_attention and banded_attention run lesson 02's reference, not a copy of it."""
    q = k = v = torch.randn(1, 2, 6, 4)
    with pytest.raises(ForbiddenCall, match="scaled_dot_product_attention"):
        with forbidden_calls(
            reference.scaled_dot_product_attention, exercise="scaling"
        ):
            attention(q, k, v)


def test_training_step_cost_keeps_the_tokens_per_step_and_times_each_length():
    """One row per length, the batch shrinking as the context grows, positive rates both
    ways (fused and explicit); the CPU has no allocator peak to report."""
    from course_utils.train_config import preset

    config = preset("tiny")
    for fused in (True, False):
        rows = training_step_cost(
            config, [16, 32, 64], "cpu", fused=fused, tokens_per_step=128, repeats=1
        )
        assert [(r["length"], r["batch"]) for r in rows] == [(16, 8), (32, 4), (64, 2)]
        assert all(r["fused"] is fused and r["tokens_per_second"] > 0 for r in rows)
        assert all(r["peak_mib"] is None and "error" not in r for r in rows)
    # A context longer than the tokens per step still trains one sequence.
    (row,) = training_step_cost(config, [256], "cpu", fused=True, tokens_per_step=128)
    assert row["batch"] == 1 and row["tokens_per_second"] > 0
