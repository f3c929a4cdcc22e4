"""Unit tests of course_utils.tasks.sequences (lesson 01)."""

from __future__ import annotations

import math

import pytest
import torch

from course_utils.tasks.sequences import (
    BottleneckSeq2Seq,
    reversal_accuracy,
    reversal_batch,
    reversal_curve,
    source_bits,
    train_reversal,
)


def test_reversal_batch_targets_are_the_sources_backwards():
    source, target = reversal_batch(
        5, 7, vocab_size=6, generator=torch.Generator().manual_seed(0)
    )
    assert source.shape == target.shape == (5, 7)
    assert source.dtype == torch.long
    assert int(source.min()) >= 0 and int(source.max()) < 6
    for j in range(7):
        assert torch.equal(target[:, j], source[:, 6 - j])


def test_reversal_batch_is_seeded_and_uniform():
    a = reversal_batch(3, 4, generator=torch.Generator().manual_seed(3))
    b = reversal_batch(3, 4, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    source, _ = reversal_batch(4000, 8, generator=torch.Generator().manual_seed(0))
    counts = torch.bincount(source.reshape(-1), minlength=8).float()
    assert bool((counts / counts.sum() - 1 / 8).abs().max() < 0.01)


@pytest.mark.parametrize(("length", "vocab_size"), [(0, 8), (4, 1)])
def test_reversal_batch_rejects_impossible_tasks(length, vocab_size):
    with pytest.raises(ValueError):
        reversal_batch(2, length, vocab_size)


def test_source_bits_is_log2_of_the_number_of_sources():
    assert source_bits(16, 8) == 48
    assert math.isclose(source_bits(5, 10), math.log2(10**5))


def test_the_decoder_sees_the_source_only_through_the_vector():
    torch.manual_seed(0)
    model = BottleneckSeq2Seq(vocab_size=5, hidden_size=6, max_len=12)
    source = torch.randint(5, (3, 9))
    logits = model(source)
    assert logits.shape == (3, 9, 5)
    vector = model.encode(source)
    assert vector.shape == (3, 6)
    assert torch.allclose(model.decode(vector, 9), logits)
    with pytest.raises(ValueError):
        model(torch.zeros(1, 13, dtype=torch.long))


def test_training_learns_short_reversals_and_restores_threads():
    threads = torch.get_num_threads()
    torch.manual_seed(0)
    model = BottleneckSeq2Seq(vocab_size=4, hidden_size=16)
    before = reversal_accuracy(model, 3, vocab_size=4)
    curve = train_reversal(model, 3, steps=150, vocab_size=4, evaluate_at=(50,))
    assert set(curve) == {50, 150}
    assert curve[150] > 0.9 > before
    assert torch.get_num_threads() == threads
    per_position = reversal_accuracy(model, 3, vocab_size=4, by_position=True)
    assert len(per_position) == 3 and all(0 <= a <= 1 for a in per_position)


def test_reversal_curve_falls_with_length_at_a_fixed_hidden_size():
    accuracies = reversal_curve(
        lambda: BottleneckSeq2Seq(vocab_size=8, hidden_size=8),
        [2, 16],
        steps=150,
    )
    assert accuracies[0] > 0.9
    assert accuracies[1] < 0.5
