"""Small synthetic sequence tasks for attention experiments (lessons 03 and 04).

Each task draws a batch of random token sequences and the targets a model must predict at
every position. A target of IGNORE (-100, the default `ignore_index` of
`torch.nn.functional.cross_entropy`) marks a position with nothing to predict. Everything is
generated on the fly from a seeded generator: nothing is downloaded.

    from course_utils.tasks import accuracy
    from course_utils.tasks.toy import copy_with_offset, previous_and_next

    tokens, targets = previous_and_next(64, length=16, vocab_size=12, seed=0)
    tokens, target = copy_with_offset(64, length=16, vocab_size=10, offset=3, seed=0)
"""

from __future__ import annotations

import torch

from course_utils.tasks import IGNORE


def _generator(seed: int | None, generator: torch.Generator | None) -> torch.Generator:
    if generator is not None:
        return generator
    return torch.Generator().manual_seed(0 if seed is None else seed)


def previous_and_next(
    batch: int,
    length: int,
    vocab_size: int,
    seed: int | None = None,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Two jobs at every position: name the token to the left, and the token to the right
    (lesson 03).

    Returns tokens (batch, length) and {'previous': (batch, length), 'next': (batch,
    length)}, with IGNORE where there is no neighbour (position 0 for 'previous', the last
    position for 'next'). Both jobs attend by *position*, in opposite directions: one head
    that averages its two neighbours loses their order, so one head does one job and two
    heads do both.
    """
    if vocab_size < 2 or length < 2:
        raise ValueError("previous_and_next needs vocab_size >= 2 and length >= 2")
    gen = _generator(seed, generator)
    tokens = torch.randint(0, vocab_size, (batch, length), generator=gen)  # (B, T)
    previous = torch.full_like(tokens, IGNORE)  # (B, T)
    previous[:, 1:] = tokens[:, :-1]
    following = torch.full_like(tokens, IGNORE)  # (B, T)
    following[:, :-1] = tokens[:, 1:]
    return tokens, {"previous": previous, "next": following}


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
