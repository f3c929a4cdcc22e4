"""The course's tasks: every dataset a lesson trains or measures on, generated here.

Nothing is downloaded: each task draws its sequences from a seeded generator, or reads text
that ships with Python.

| module | task | lesson |
|---|---|---|
| `recall` | delayed recall (output the token seen `distance` steps back), a small RNN and a tiny attention model; the long-range lookup that compares cheap attentions | 01, 08 |
| `induction` | sequences that repeat a random segment, and a two-layer attention-only transformer whose heads can be captured and switched off | 11 |
| `phrases` | English noun phrases and their French translations (adjectives cross), and a small GRU encoder-decoder with additive attention | 02 |
| `toy` | previous-and-next and copy-with-offset, for attention heads and positions | 03, 04 |
| `sequences` | reverse a sequence of random symbols, and a GRU encoder-decoder without attention whose one vector carries the source | 01 |
| `text` | corpora shipped with Python, a character tokenizer, batches for the GPT | 07 |
| `dates` | date normalisation and a small encoder-decoder that learns it | 07 |

This module holds what they share: the IGNORE target and the accuracy that skips it.
"""

from __future__ import annotations

import torch

IGNORE = -100  # a target that cross_entropy skips (its default ignore_index)


def accuracy(logits: torch.Tensor, targets: torch.Tensor) -> float:
    """Fraction of positions whose most likely class is the target, skipping IGNORE (lessons 03, 04, 08).

    logits (..., classes), targets (...) of the same leading shape.
    """
    if tuple(logits.shape[:-1]) != tuple(targets.shape):
        raise ValueError(
            "accuracy: logits must be (..., classes) over targets (...), got logits "
            f"{tuple(logits.shape)} and targets {tuple(targets.shape)}"
        )
    keep = targets != IGNORE
    if not bool(keep.any()):
        raise ValueError("accuracy: every target is IGNORE")
    hits = (logits.argmax(dim=-1) == targets) & keep
    return float(hits.sum()) / float(keep.sum())
