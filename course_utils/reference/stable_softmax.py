"""The numerically stable softmax (lesson 00).

The answer to `00_orientation`; see `course_utils.reference` for who may import it.
"""

from __future__ import annotations

import torch


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Numerically stable softmax along `dim` (lesson 00)."""
    shifted = x - x.amax(dim=dim, keepdim=True)  # same shape as x, entries <= 0
    exps = torch.exp(shifted)
    return exps / exps.sum(dim=dim, keepdim=True)
