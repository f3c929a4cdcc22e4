"""Small synthetic sequence tasks for attention experiments (lessons 03 and 04).

Each task draws a batch of random token sequences and the targets a model must predict at
every position. A target of IGNORE (-100, the default `ignore_index` of
`torch.nn.functional.cross_entropy`) marks a position with nothing to predict. Everything is
generated on the fly from a seeded generator: nothing is downloaded.

    from course_utils.tasks import accuracy
    from course_utils.tasks.toy import copy_with_offset, previous_and_largest

    tokens, targets = previous_and_largest(64, length=10, vocab_size=12, seed=0)
    tokens, target = copy_with_offset(64, length=16, vocab_size=10, offset=3, seed=0)
"""

from __future__ import annotations

import torch

from course_utils.tasks import IGNORE


def _generator(seed: int | None, generator: torch.Generator | None) -> torch.Generator:
    if generator is not None:
        return generator
    return torch.Generator().manual_seed(0 if seed is None else seed)


def previous_and_largest(
    batch: int,
    length: int,
    vocab_size: int,
    seed: int | None = None,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Two jobs at every position: name the previous token, and name the largest token (lesson 03).

    Returns tokens (batch, length) and {'previous': (batch, length), 'largest': (batch, length)}.
    'previous' is the token one position to the left (IGNORE at position 0): a job for a head
    that attends by *position*. 'largest' is the largest token of the whole sequence, the same
    at every position: a job for a head that attends by *content*. The largest value is drawn
    uniformly from 1..vocab_size-1 and appears exactly once, every other token is smaller, so
    guessing the most frequent answer scores only about 1/(vocab_size-1).
    """
    if vocab_size < 2 or length < 2:
        raise ValueError("previous_and_largest needs vocab_size >= 2 and length >= 2")
    gen = _generator(seed, generator)
    largest = torch.randint(1, vocab_size, (batch, 1), generator=gen)  # (B, 1)
    tokens = (
        torch.rand(batch, length, generator=gen) * largest
    ).long()  # (B, T), each < largest
    where = torch.randint(0, length, (batch, 1), generator=gen)  # (B, 1)
    tokens.scatter_(1, where, largest)  # the largest, once
    previous = torch.full_like(tokens, IGNORE)  # (B, T)
    previous[:, 1:] = tokens[:, :-1]
    return tokens, {
        "previous": previous,
        "largest": largest.expand(batch, length).clone(),
    }


def copy_with_offset(
    batch: int,
    length: int,
    vocab_size: int,
    offset: int = 3,
    seed: int | None = None,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """At every position, name the token `offset` places to the left (lesson 04).

    Returns tokens (batch, length) and targets (batch, length), IGNORE at the first `offset`
    positions. The rule depends only on *relative* position, so a model that has learned it
    should apply it at any length: the task measures length extrapolation.
    """
    if not 0 < offset < length:
        raise ValueError(
            f"copy_with_offset needs 0 < offset < length, got offset={offset}, length={length}"
        )
    gen = _generator(seed, generator)
    tokens = torch.randint(0, vocab_size, (batch, length), generator=gen)  # (B, T)
    targets = torch.full_like(tokens, IGNORE)  # (B, T)
    targets[:, offset:] = tokens[:, :-offset]
    return tokens, targets
