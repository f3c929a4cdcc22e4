"""Plots shared by the lessons: attention heatmaps and curves (first used in 00_orientation).

Colour maps are perceptually uniform and readable with colour-blind vision (viridis for
weights in [0, 1], cividis for signed values); curves use the Okabe-Ito palette (Okabe and
Ito, 2008, "Color Universal Design") with a different marker and line style each, so they
stay apart in grey too. Every axis gets a label, and figures the helpers create use
matplotlib's constrained layout, so labels are never cut off.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

# Okabe and Ito (2008): eight colours that stay distinct for the common colour-vision deficiencies.
OKABE_ITO = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#000000",
    "#F0E442",
)
MARKERS = "osd^vP*X"
MAX_TICK_LABELS = 40  # token names an attention heatmap writes along one axis
LINESTYLES = ("-", "--", "-.", ":")


def to_numpy(values) -> np.ndarray:
    """A tensor (any device, with or without grad) or array-like as a float NumPy array (lesson 00)."""
    if isinstance(values, torch.Tensor):
        return values.detach().to("cpu", torch.float32).numpy()
    return np.asarray(values, dtype=np.float32)


def attention_heatmap(
    weights,
    query_labels: Sequence[str] | None = None,
    key_labels: Sequence[str] | None = None,
    ax=None,
    title: str = "attention weights",
    vmax: float | None = 1.0,
    colorbar: bool = True,
):
    """Draw a (queries, keys) weight matrix; rows are queries, columns keys (lesson 02 onwards)."""
    matrix = to_numpy(weights)
    if matrix.ndim != 2:
        raise ValueError(
            f"attention_heatmap expects a 2-D (queries, keys) matrix, got shape {matrix.shape}"
        )
    if ax is None:
        # At most 8.8 inches wide with its colour bar: a notebook shows it with 0.1 inch
        # of padding on each side, under 900 pixels, the width of its output area.
        size = max(3.5, min(7.8, 0.45 * max(matrix.shape) + 2))
        _, ax = plt.subplots(figsize=(size + 1, size), layout="constrained")
    image = ax.imshow(
        matrix,
        cmap="viridis",
        vmin=0.0,
        vmax=vmax,
        aspect="auto",
        interpolation="nearest",
    )
    many = max(matrix.shape) > 24
    # Past MAX_TICK_LABELS tokens only every k-th is named, so the names never overlap.
    if key_labels is not None:
        stride = math.ceil(len(key_labels) / MAX_TICK_LABELS)
        ax.set_xticks(
            range(0, len(key_labels), stride),
            list(key_labels)[::stride],
            rotation=60 if not many else 90,
            ha="right",
            rotation_mode="anchor",
            fontsize=8 if many else None,
        )
    if query_labels is not None:
        stride = math.ceil(len(query_labels) / MAX_TICK_LABELS)
        ax.set_yticks(
            range(0, len(query_labels), stride),
            list(query_labels)[::stride],
            fontsize=8 if many else None,
        )
    ax.set_xlabel("key (attended to)")
    ax.set_ylabel("query (attending)")
    ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="weight")
    return ax


def bar_distribution(
    probabilities,
    labels: Sequence[str] | None = None,
    ax=None,
    title: str = "",
    ylabel: str = "probability",
):
    """Bars of a probability vector, e.g. a softmax output, each with its value on top (lesson 00)."""
    values = to_numpy(probabilities).reshape(-1)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.2), layout="constrained")
    positions = np.arange(len(values))
    bars = ax.bar(positions, values, color=OKABE_ITO[0])
    if len(values) <= 16:
        ax.bar_label(bars, fmt="%.2f", padding=2, fontsize=9)
    ax.set_xticks(
        positions, labels if labels is not None else [str(i) for i in positions]
    )
    ax.set_ylim(0, 1.1)  # room for the value above a bar of height 1
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_xlabel("entry")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


def line_plot(
    x,
    curves: dict[str, Sequence[float]],
    xlabel: str,
    ylabel: str,
    title: str = "",
    ax=None,
    logx: bool = False,
    logy: bool = False,
):
    """Several named curves over the same x values, with labelled axes and a legend (lesson 01 onwards)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
    for i, (label, values) in enumerate(curves.items()):
        ax.plot(
            to_numpy(x),
            to_numpy(values),
            marker=MARKERS[i % len(MARKERS)],
            color=OKABE_ITO[i % len(OKABE_ITO)],
            linestyle=LINESTYLES[i % len(LINESTYLES)],
            label=label,
        )
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
