"""Plots shared by the lessons: attention heatmaps and curves (first used in 00_orientation).

Colour maps are perceptually uniform and readable with colour-blind vision (viridis for
weights in [0, 1], cividis for signed values); every axis gets a label.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch


def to_numpy(values) -> np.ndarray:
    """A tensor (any device, with or without grad) or array-like as a float NumPy array (lesson 00)."""
    if isinstance(values, torch.Tensor):
        return values.detach().to("cpu", torch.float32).numpy()
    return np.asarray(values, dtype=np.float32)


def attention_heatmap(weights, query_labels: Sequence[str] | None = None, key_labels: Sequence[str] | None = None,
                      ax=None, title: str = "attention weights", vmax: float | None = 1.0, colorbar: bool = True):
    """Draw a (queries, keys) weight matrix; rows are queries, columns keys (lesson 02 onwards)."""
    matrix = to_numpy(weights)
    if matrix.ndim != 2:
        raise ValueError(f"attention_heatmap expects a 2-D (queries, keys) matrix, got shape {matrix.shape}")
    if ax is None:
        size = max(3.0, min(9.0, 0.45 * max(matrix.shape) + 2))
        _, ax = plt.subplots(figsize=(size + 1, size))
    image = ax.imshow(matrix, cmap="viridis", vmin=0.0, vmax=vmax, aspect="auto")
    if key_labels is not None:
        ax.set_xticks(range(len(key_labels)), key_labels, rotation=60, ha="right")
    if query_labels is not None:
        ax.set_yticks(range(len(query_labels)), query_labels)
    ax.set_xlabel("key (attended to)")
    ax.set_ylabel("query (attending)")
    ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="weight")
    return ax


def bar_distribution(probabilities, labels: Sequence[str] | None = None, ax=None, title: str = "",
                     ylabel: str = "probability"):
    """Bars of a probability vector, e.g. a softmax output (lesson 00)."""
    values = to_numpy(probabilities).reshape(-1)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3))
    positions = np.arange(len(values))
    ax.bar(positions, values, color="#3b75af")
    ax.set_xticks(positions, labels if labels is not None else [str(i) for i in positions])
    ax.set_ylim(0, 1)
    ax.set_xlabel("entry")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


def line_plot(x, curves: dict[str, Sequence[float]], xlabel: str, ylabel: str, title: str = "", ax=None,
              logx: bool = False, logy: bool = False):
    """Several named curves over the same x values, with labelled axes and a legend (lesson 01 onwards)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4))
    markers = "osd^vP*X"
    for i, (label, values) in enumerate(curves.items()):
        ax.plot(to_numpy(x), to_numpy(values), marker=markers[i % len(markers)], label=label)
    ax.set_xscale("log" if logx else "linear")
    ax.set_yscale("log" if logy else "linear")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(True, alpha=0.3)
    if len(curves) > 1:
        ax.legend()
    return ax
