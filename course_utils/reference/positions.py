"""Sinusoidal positional encodings and rotary embeddings (lesson 04).

The answer to `04_positional_encodings`; see `course_utils.reference` for who may import it.
"""

from __future__ import annotations

import torch


def sinusoidal_positional_encoding(seq_len: int, d_model: int) -> torch.Tensor:
    """PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(same); (seq_len, d_model) (lesson 04)."""
    positions = torch.arange(seq_len, dtype=torch.float64).unsqueeze(1)  # (T, 1)
    frequencies = 10000.0 ** (
        -torch.arange(0, d_model, 2, dtype=torch.float64) / d_model
    )  # (ceil(D/2),)
    angles = positions * frequencies  # (T, ceil(D/2))
    encoding = torch.zeros(seq_len, d_model, dtype=torch.float64)
    encoding[:, 0::2] = torch.sin(angles)
    encoding[:, 1::2] = torch.cos(angles[:, : d_model // 2])
    return encoding.to(torch.get_default_dtype())


def apply_rope(x: torch.Tensor) -> torch.Tensor:
    """Rotate each pair (x[..., 2i], x[..., 2i+1]) at position p (dim -2) by p * 10000^(-2i/d) (lesson 04)."""
    length, width = x.shape[-2], x.shape[-1]
    if width % 2:
        raise ValueError(f"apply_rope needs an even last dimension, got {width}")
    positions = torch.arange(length, dtype=torch.float64, device=x.device).unsqueeze(
        1
    )  # (T, 1)
    frequencies = 10000.0 ** (
        -torch.arange(0, width, 2, dtype=torch.float64, device=x.device) / width
    )  # (D/2,)
    angles = positions * frequencies  # (T, D/2)
    cos, sin = torch.cos(angles).to(x.dtype), torch.sin(angles).to(x.dtype)
    even, odd = x[..., 0::2], x[..., 1::2]  # (..., T, D/2)
    rotated = torch.stack(
        [even * cos - odd * sin, even * sin + odd * cos], dim=-1
    )  # (..., T, D/2, 2)
    return rotated.flatten(-2)  # (..., T, D)
