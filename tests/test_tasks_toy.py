"""Unit tests of course_utils.tasks.toy (lessons 03 and 04)."""

from __future__ import annotations

import pytest
import torch

from course_utils.tasks import IGNORE, accuracy
from course_utils.tasks.toy import copy_with_offset, previous_and_next


def test_previous_and_next_targets():
    tokens, targets = previous_and_next(50, 12, 9, seed=3)
    assert tokens.shape == (50, 12) and tokens.dtype == torch.long
    assert set(targets) == {"previous", "next"}
    assert bool((targets["previous"][:, 0] == IGNORE).all())
    assert torch.equal(targets["previous"][:, 1:], tokens[:, :-1])
    assert bool((targets["next"][:, -1] == IGNORE).all())
    assert torch.equal(targets["next"][:, :-1], tokens[:, 1:])
    assert bool((tokens >= 0).all()) and bool((tokens < 9).all())


def test_previous_and_next_is_seeded():
    a, _ = previous_and_next(5, 6, 7, seed=1)
    b, _ = previous_and_next(5, 6, 7, seed=1)
    c, _ = previous_and_next(5, 6, 7, seed=2)
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_generator_advances():
    generator = torch.Generator().manual_seed(0)
    first, _ = copy_with_offset(4, 8, 10, generator=generator)
    second, _ = copy_with_offset(4, 8, 10, generator=generator)
    assert not torch.equal(first, second)


def test_copy_with_offset():
    tokens, targets = copy_with_offset(20, 16, 10, offset=3, seed=4)
    assert tokens.shape == targets.shape == (20, 16)
    assert bool((targets[:, :3] == IGNORE).all())
    assert torch.equal(targets[:, 3:], tokens[:, :-3])
    with pytest.raises(ValueError):
        copy_with_offset(2, 3, 10, offset=3)
    with pytest.raises(ValueError):
        previous_and_next(2, 1, 10)


def test_accuracy_skips_ignored_positions():
    logits = torch.tensor([[[0.0, 1.0], [1.0, 0.0], [1.0, 0.0]]])  # predicts 1, 0, 0
    targets = torch.tensor([[1, 1, IGNORE]])
    assert accuracy(logits, targets) == 0.5
    with pytest.raises(ValueError):
        accuracy(logits, torch.full((1, 3), IGNORE))


def test_accuracy_rejects_targets_of_another_shape():
    with pytest.raises(ValueError, match=r"logits \(2, 1, 3\) and targets \(2,\)"):
        accuracy(torch.zeros(2, 1, 3), torch.zeros(2, dtype=torch.long))
