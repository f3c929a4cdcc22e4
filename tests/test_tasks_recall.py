"""Unit tests of course_utils.tasks.recall."""

import pytest
import torch

from course_utils.scaling import naive_attention
from course_utils.tasks import IGNORE, accuracy
from course_utils.tasks.recall import (
    SmallRNN,
    TinyAttention,
    long_range_recall,
    recall_accuracy,
    recall_batch,
    recall_curve,
    train_recall,
)
from course_utils.timing import cpu_threads


def test_recall_batch_targets_are_the_tokens_distance_steps_back():
    tokens, targets = recall_batch(
        4, 10, distance=3, vocab_size=5, generator=torch.Generator().manual_seed(0)
    )
    assert tokens.shape == targets.shape == (4, 10)
    assert (
        tokens.dtype == torch.long and int(tokens.min()) >= 0 and int(tokens.max()) < 5
    )
    assert bool((targets[:, :3] == IGNORE).all())
    assert torch.equal(targets[:, 3:], tokens[:, :-3])


def test_recall_batch_repeats_with_the_same_generator():
    a = recall_batch(2, 6, 1, generator=torch.Generator().manual_seed(7))
    b = recall_batch(2, 6, 1, generator=torch.Generator().manual_seed(7))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])


@pytest.mark.parametrize("distance", [0, 6, -1])
def test_recall_batch_rejects_impossible_distances(distance):
    with pytest.raises(ValueError):
        recall_batch(2, 6, distance)


@pytest.mark.parametrize(
    "model",
    [
        SmallRNN(vocab_size=6, hidden_size=12),
        TinyAttention(vocab_size=6, d_model=8, max_len=16),
    ],
)
def test_models_give_logits_per_position(model):
    tokens = torch.randint(6, (3, 11))
    assert model(tokens).shape == (3, 11, 6)


def test_tiny_attention_is_causal():
    torch.manual_seed(0)
    model = TinyAttention(vocab_size=5, d_model=8, max_len=10)
    tokens = torch.randint(5, (1, 10))
    changed = tokens.clone()
    changed[0, 6:] = (changed[0, 6:] + 1) % 5
    assert torch.allclose(model(tokens)[0, :6], model(changed)[0, :6], atol=1e-6)
    with pytest.raises(ValueError):
        model(torch.zeros(1, 11, dtype=torch.long))


def test_training_makes_attention_recall_and_restores_threads():
    threads = torch.get_num_threads()
    torch.manual_seed(0)
    model = TinyAttention(vocab_size=4, d_model=16, max_len=12)
    before = recall_accuracy(model, distance=5, seq_len=12, vocab_size=4)
    losses = train_recall(
        model, distance=5, steps=120, batch_size=32, seq_len=12, vocab_size=4, lr=1e-2
    )
    after = recall_accuracy(model, distance=5, seq_len=12, vocab_size=4)
    assert len(losses) == 120 and losses[-1] < losses[0]
    assert after > 0.9 > before
    assert torch.get_num_threads() == threads


def test_rnn_learns_the_previous_token():
    accuracy = recall_curve(
        lambda: SmallRNN(vocab_size=4, hidden_size=16),
        [1],
        steps=120,
        seq_len=12,
        batch_size=32,
        vocab_size=4,
        lr=1e-2,
    )
    assert accuracy[0] > 0.9


def test_cpu_threads_restores_on_error():
    threads = torch.get_num_threads()
    with pytest.raises(RuntimeError):
        with cpu_threads(1):
            assert torch.get_num_threads() == 1
            raise RuntimeError("boom")
    assert torch.get_num_threads() == threads


def test_long_range_recall_queries_the_key_distance_back():
    q, k, v, labels = long_range_recall(100, d=32, classes=8, batch=10, seed=3)
    assert q.shape == (10, 1, 32) and k.shape == (10, 100, 32)
    assert v.shape == (10, 100, 8) and labels.shape == (10, 1)
    assert torch.allclose(q[:, 0], 4.0 * k[:, 0])  # default: the first key
    assert torch.equal(v[:, 0].argmax(-1), labels[:, 0])
    q, k, v, labels = long_range_recall(100, distance=5, batch=4)
    assert torch.allclose(q[:, 0], 4.0 * k[:, 94])
    assert accuracy(naive_attention(q, k, v), labels) == 1.0
    with pytest.raises(ValueError, match="does not fit"):
        long_range_recall(10, distance=10)
