"""The causal and padding masks (lesson 05).

The answer to `05_masking`; see `course_utils.reference` for who may import it.
"""

from __future__ import annotations

import torch


def causal_mask(seq_len: int, device=None) -> torch.Tensor:
    """(T, T) bool, True on and below the diagonal: position i may attend to j <= i (lesson 05)."""
    return torch.ones(seq_len, seq_len, dtype=torch.bool, device=device).tril()


def padding_mask(lengths: torch.Tensor, max_len: int) -> torch.Tensor:
    """(B, max_len) bool, True at the real positions, padding at the end (lesson 05)."""
    lengths = torch.as_tensor(lengths)
    return torch.arange(max_len, device=lengths.device).unsqueeze(
        0
    ) < lengths.unsqueeze(1)  # (B, max_len)
