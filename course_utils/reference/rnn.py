"""The Elman recurrent network's forward pass (lesson 01).

The answer to `01_rnn_limits`; see `course_utils.reference` for who may import it.
"""

from __future__ import annotations

import torch


def rnn_forward(
    x: torch.Tensor,
    h0: torch.Tensor,
    W_xh: torch.Tensor,
    W_hh: torch.Tensor,
    b: torch.Tensor,
):
    """Elman RNN, h_t = tanh(x_t @ W_xh + h_{t-1} @ W_hh + b); returns (outputs (B, T, H), h_last (B, H)) (lesson 01)."""
    hidden = h0
    outputs = []
    for t in range(x.shape[1]):
        hidden = torch.tanh(x[:, t] @ W_xh + hidden @ W_hh + b)  # (B, H)
        outputs.append(hidden)
    return torch.stack(outputs, dim=1), hidden  # (B, T, H), (B, H)
