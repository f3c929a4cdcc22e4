"""Checks that every figure a lesson shows is readable (the standard set in lesson 00's plots).

A figure passes when:

- every axes that shows data, with its axis lines on, has a label on both axes
  (colour bars and axes switched off with ``ax.axis("off")`` are exempt);
- every colour map is one a colour-blind student can read: the perceptually uniform
  maps (viridis, cividis, magma, inferno, plasma, greys) or a ColorBrewer diverging map
  designed for colour-blind vision (RdBu, PuOr, BrBG; Brewer, colorbrewer2.org);
- it fits a notebook: the image the notebook shows is at most ``MAX_WIDTH_PX`` pixels
  wide, so JupyterLab does not shrink it, and no text is smaller than ``MIN_FONT_PT``
  points. The inline backend (JupyterLab, Colab) saves a figure cropped to what it draws
  and padded by ``savefig.pad_inches`` on each side, so that image can be wider than the
  figure's own size: ``shown_size_px`` measures it;
- no two neighbouring tick labels overlap (measured on the drawn figure, rotation included).

``install(path)`` makes every figure a kernel draws append its description to a JSON-lines
file; the test suite installs it in the kernel of each lesson's full run (headless, or in
JupyterLab through an IPython startup file: tests/browser/labdriver.py) and fails the
lesson on any problem that ``problems`` finds. The rules are tested in
``tests/test_plotting.py``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib
from matplotlib.backend_bases import FigureCanvasBase

# A JupyterLab notebook with the file browser open is about 950 pixels wide; its output
# area about 860. Wider figures are scaled down, and their text with them.
MAX_WIDTH_PX = 900
MIN_FONT_PT = 7.0
READABLE_COLOUR_MAPS = frozenset(
    {
        "viridis",
        "cividis",
        "magma",
        "inferno",
        "plasma",  # perceptually uniform (matplotlib)
        "Greys",
        "gray",
        "binary",
        "gist_yarg",
        "Blues",
        "Oranges",
        "Purples",  # one hue, light to dark
        "RdBu",
        "PuOr",
        "BrBG",  # ColorBrewer diverging maps marked colour-blind safe
    }
)


def _colour_maps(ax) -> list[str]:
    found = [image.get_cmap().name for image in ax.images]
    for collection in ax.collections:
        if collection.get_array() is not None and hasattr(collection, "get_cmap"):
            found.append(collection.get_cmap().name)
    return [name.removesuffix("_r") for name in found]


def _smallest_font(ax) -> float:
    texts = [
        ax.xaxis.label,
        ax.yaxis.label,
        ax.title,
        *ax.get_xticklabels(),
        *ax.get_yticklabels(),
    ]
    legend = ax.get_legend()
    if legend is not None:
        texts.extend(legend.get_texts())
    sizes = [
        text.get_fontsize()
        for text in texts
        if text.get_text().strip() and text.get_visible()
    ]
    return min(sizes, default=float("inf"))


def _overlapping_tick_labels(axis, renderer) -> int:
    """How many pairs of neighbouring tick labels of one axis overlap on the drawn figure.

    Two labels written along the same direction overlap when they are closer than one line
    height across that direction and closer than their half lengths along it.
    """
    placed = []
    for label in axis.get_ticklabels():
        text = label.get_text().strip()
        if not text or not label.get_visible():
            continue
        anchor = label.get_transform().transform(label.get_position())
        shown, is_math = label._preprocess_math(label.get_text())
        # Line by line: the renderer measures one line (a newline is a missing glyph).
        lines = [
            renderer.get_text_width_height_descent(
                line, label.get_fontproperties(), is_math
            )
            for line in shown.split("\n")
        ]
        width = max(line_width for line_width, _, _ in lines)
        height = sum(line_height for _, line_height, _ in lines)
        placed.append((anchor, width, height, math.radians(label.get_rotation())))
    along_axis = 0 if axis.axis_name == "x" else 1
    placed.sort(key=lambda item: item[0][along_axis])
    overlaps = 0
    # Neighbours: one pair fewer than items, so the lengths differ on purpose.
    neighbours = zip(placed, placed[1:])  # noqa: B905
    for (first, width_1, height_1, angle), (second, width_2, height_2, _) in neighbours:
        dx, dy = second[0] - first[0], second[1] - first[1]
        along_text = abs(dx * math.cos(angle) + dy * math.sin(angle))
        across_text = abs(-dx * math.sin(angle) + dy * math.cos(angle))
        if (
            across_text < 0.9 * max(height_1, height_2)
            and along_text < 0.95 * (width_1 + width_2) / 2
        ):
            overlaps += 1
    return overlaps


def shown_size_px(figure, renderer) -> tuple[int, int]:
    """Width and height of the image a notebook shows for `figure`, in pixels.

    The inline backend saves with ``bbox_inches="tight"``: the box around everything drawn,
    padded by ``savefig.pad_inches`` on each side, at the figure's dpi.
    """
    pad = matplotlib.rcParams["savefig.pad_inches"]
    if not isinstance(pad, (int, float)):  # "layout": matplotlib's default stands in
        pad = 0.1
    box = figure.get_tightbbox(renderer).padded(pad)
    return int(box.width * figure.dpi), int(box.height * figure.dpi)  # Agg truncates


def describe(figure) -> dict:
    """What the checks need to know of a figure, as plain data."""
    renderer = figure._get_renderer()
    width_px, height_px = shown_size_px(figure, renderer)
    axes = []
    for ax in figure.axes:
        if not ax.get_visible():
            continue
        shows_data = bool(
            ax.lines or ax.collections or ax.images or ax.patches or ax.containers
        )
        axes.append(
            {
                "title": ax.get_title(),
                "xlabel": ax.get_xlabel(),
                "ylabel": ax.get_ylabel(),
                "colorbar": hasattr(ax, "_colorbar"),
                "axis_on": bool(ax.axison),
                "shows_data": shows_data,
                "three_d": ax.name == "3d",
                "colour_maps": _colour_maps(ax),
                "smallest_font_pt": _smallest_font(ax),
                "overlapping_ticks": {
                    "x": _overlapping_tick_labels(ax.xaxis, renderer),
                    "y": _overlapping_tick_labels(ax.yaxis, renderer),
                },
            }
        )
    return {
        "width_px": width_px,
        "height_px": height_px,
        "axes": axes,
    }


def problems(record: dict) -> list[str]:
    """Everything unreadable about one described figure; an empty list for a good one."""
    found = []
    if "audit_error" in record:
        found.append(f"the audit could not read this figure: {record['audit_error']}")
    if record["width_px"] > MAX_WIDTH_PX:
        found.append(
            f"{record['width_px']} px wide (at most {MAX_WIDTH_PX}: wider figures are shrunk)"
        )
    for number, ax in enumerate(record["axes"], start=1):
        name = f"axes {number}" + (f" ({ax['title']!r})" if ax["title"] else "")
        if ax["colorbar"]:
            continue
        if ax["shows_data"] and ax["axis_on"] and not ax["three_d"]:
            missing = [axis for axis in ("xlabel", "ylabel") if not ax[axis].strip()]
            if missing:
                found.append(f"{name}: no {' or '.join(missing)}")
        unreadable = sorted(set(ax["colour_maps"]) - READABLE_COLOUR_MAPS)
        if unreadable:
            found.append(
                f"{name}: colour map {', '.join(unreadable)} is hard to read with colour-blind vision "
                f"(use one of {', '.join(sorted(READABLE_COLOUR_MAPS))})"
            )
        if ax["smallest_font_pt"] < MIN_FONT_PT:
            found.append(
                f"{name}: text of {ax['smallest_font_pt']:.1f} pt (at least {MIN_FONT_PT} pt)"
            )
        for axis, pairs in ax.get("overlapping_ticks", {}).items():
            if pairs:
                found.append(
                    f"{name}: {pairs} pairs of {axis} tick labels overlap (fewer ticks, "
                    "smaller or rotated labels, or a larger figure)"
                )
    return found


def install(path: str | Path) -> None:
    """Record every figure drawn in this process to the JSON-lines file at `path`.

    With a display backend (inline), a figure is recorded when it is rendered. With Agg,
    which the test suite uses (its kernels then send no images, and nbclient has been seen
    to stall on cells whose widgets display figures), `plt.show()` and the end of each cell
    draw, record and close the open figures, as the inline backend would show them.
    """
    import matplotlib.pyplot as plt

    target = Path(path)
    original = FigureCanvasBase.print_figure
    if getattr(original, "_course_audit", False):
        return

    def record(figure) -> None:
        try:
            entry = describe(figure)
        except Exception as error:  # noqa: BLE001 - a figure the audit cannot read is reported, not fatal
            entry = {
                "width_px": 0,
                "height_px": 0,
                "axes": [],
                "audit_error": repr(error),
            }
        with target.open("a") as stream:
            stream.write(json.dumps(entry) + "\n")

    def print_figure(canvas, *args, **kwargs):
        result = original(
            canvas, *args, **kwargs
        )  # draws: the layout is final afterwards
        record(canvas.figure)
        return result

    def headless() -> bool:
        return matplotlib.get_backend().lower() == "agg"

    def draw_open_figures() -> None:
        for number in plt.get_fignums():
            figure = plt.figure(number)
            figure.canvas.draw()
            record(figure)
        plt.close("all")

    original_show = plt.show

    def show(*args, **kwargs):
        if headless():
            draw_open_figures()
            return None
        return original_show(*args, **kwargs)

    print_figure._course_audit = True
    FigureCanvasBase.print_figure = print_figure
    plt.show = show
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.events.register(
            "post_execute", lambda: draw_open_figures() if headless() else None
        )


def read(path: str | Path) -> list[dict]:
    """The figures recorded by `install`, in the order they were drawn."""
    target = Path(path)
    if not target.exists():
        return []
    return [
        json.loads(line) for line in target.read_text().splitlines() if line.strip()
    ]
