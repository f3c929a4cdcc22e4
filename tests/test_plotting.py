"""The course's plots are readable: the shared helpers, and the audit that checks every lesson.

Every full run of a lesson (tests/full_run.py) has course_tools.figure_audit installed
and fails on any figure it flags; these tests show that the audit flags what it should
(and only that), and that the helpers in course_utils.plotting pass it.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from course_tools import figure_audit  # noqa: E402
from course_utils import plotting  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def problems_of(figure) -> list[str]:
    figure.canvas.draw()  # the audit describes figures once drawn, as a notebook shows them
    return figure_audit.problems(figure_audit.describe(figure))


def shown_image_size(figure) -> tuple[int, int]:
    """(width, height) in pixels of the PNG the inline backend would show for `figure`."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    buffer.seek(0)
    height, width = matplotlib.image.imread(buffer).shape[:2]
    return width, height


def labelled_line_figure(width_in=6.0):
    figure, ax = plt.subplots(figsize=(width_in, 3.5), dpi=100)
    ax.plot([1, 2, 3], [2, 1, 3])
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    return figure, ax


# -- the audit's rules ------------------------------------------------------------------------


def test_a_labelled_figure_of_normal_size_passes():
    figure, _ = labelled_line_figure()
    assert problems_of(figure) == []


@pytest.mark.parametrize("missing", ["xlabel", "ylabel"])
def test_an_axis_without_a_label_is_flagged(missing):
    figure, ax = labelled_line_figure()
    getattr(ax, f"set_{missing}")("")
    found = problems_of(figure)
    assert len(found) == 1 and f"no {missing}" in found[0]


def test_axes_switched_off_and_empty_axes_need_no_labels():
    figure, (image_ax, empty_ax) = plt.subplots(1, 2, figsize=(6, 3), dpi=100)
    image_ax.imshow(np.eye(4), cmap="viridis")
    image_ax.axis("off")
    empty_ax.set_title("nothing drawn here")
    assert problems_of(figure) == []


def test_a_colour_bar_needs_no_axis_labels():
    figure, ax = plt.subplots(figsize=(5, 4), dpi=100)
    image = ax.imshow(np.random.default_rng(0).random((5, 5)), cmap="cividis")
    ax.set_xlabel("key")
    ax.set_ylabel("query")
    figure.colorbar(image, ax=ax)
    assert problems_of(figure) == []


@pytest.mark.parametrize(
    "colour_map", ["jet", "rainbow", "hsv", "RdYlGn", "Spectral", "jet_r"]
)
def test_colour_maps_hard_for_colour_blind_readers_are_flagged(colour_map):
    figure, ax = labelled_line_figure()
    ax.imshow(np.eye(3), cmap=colour_map)
    found = problems_of(figure)
    assert len(found) == 1 and colour_map.removesuffix("_r") in found[0]


@pytest.mark.parametrize(
    "colour_map", ["viridis", "cividis", "magma", "RdBu", "RdBu_r", "Greys", "PuOr"]
)
def test_readable_colour_maps_pass(colour_map):
    figure, ax = labelled_line_figure()
    ax.imshow(np.eye(3), cmap=colour_map)
    assert problems_of(figure) == []


def test_a_scatter_coloured_by_value_has_its_colour_map_checked():
    figure, ax = labelled_line_figure()
    ax.scatter([0, 1, 2], [0, 1, 2], c=[0.1, 0.5, 0.9], cmap="jet")
    assert any("jet" in problem for problem in problems_of(figure))


def test_a_figure_wider_than_the_notebook_is_flagged():
    figure, _ = labelled_line_figure(width_in=12)
    found = problems_of(figure)
    assert len(found) == 1 and "px wide" in found[0]
    figure, _ = labelled_line_figure(width_in=figure_audit.MAX_WIDTH_PX / 100)
    assert problems_of(figure) == []


def test_the_size_measured_is_that_of_the_image_the_notebook_shows():
    """The inline backend crops to what is drawn and pads 0.1 inch on each side: a figure
    that constrained layout fills to its edges shows wider than its own size."""
    filled = plt.figure(
        figsize=(figure_audit.MAX_WIDTH_PX / 100, 4), layout="constrained"
    )
    ax = filled.add_subplot()
    ax.plot([1, 2, 3], [2, 1, 3])
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    sticking_out, ax = labelled_line_figure()
    ax.set_title(
        "a title much longer than the axes it stands above, past both its edges"
    )
    for figure in (filled, sticking_out, labelled_line_figure()[0]):
        figure.canvas.draw()  # the audit describes figures once they are drawn
        record = figure_audit.describe(figure)
        assert (record["width_px"], record["height_px"]) == shown_image_size(figure)
    assert shown_image_size(filled)[0] > figure_audit.MAX_WIDTH_PX
    found = problems_of(filled)
    assert len(found) == 1 and "px wide" in found[0]


def test_tiny_text_is_flagged():
    figure, ax = labelled_line_figure()
    ax.tick_params(labelsize=5)
    found = problems_of(figure)
    assert len(found) == 1 and "5.0 pt" in found[0]


def test_install_records_every_figure_drawn_and_only_once(tmp_path):
    log = tmp_path / "figures.jsonl"
    original, original_show = (
        matplotlib.backend_bases.FigureCanvasBase.print_figure,
        plt.show,
    )
    try:
        figure_audit.install(log)
        figure_audit.install(log)  # a second install does not record twice
        good, _ = labelled_line_figure()
        bad, ax = labelled_line_figure(width_in=12)
        ax.set_ylabel("")
        for figure in (good, bad):
            figure.savefig(io.BytesIO(), format="png")
    finally:
        matplotlib.backend_bases.FigureCanvasBase.print_figure = original
        plt.show = original_show
    records = figure_audit.read(log)
    assert [len(figure_audit.problems(record)) for record in records] == [0, 2]
    assert records[1]["width_px"] == shown_image_size(bad)[0] > 900


def test_read_of_a_missing_log_is_empty(tmp_path):
    assert figure_audit.read(tmp_path / "never-written.jsonl") == []


# -- the shared helpers pass it -----------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 12, 40, 200])
def test_attention_heatmap_is_readable_at_every_size(size):
    weights = torch.softmax(torch.randn(size, size), dim=-1)
    labels = [f"t{i}" for i in range(size)]
    ax = plotting.attention_heatmap(weights, labels, labels)
    assert problems_of(ax.figure) == []
    assert ax.get_xlabel() and ax.get_ylabel()


def test_attention_heatmap_draws_rows_as_queries():
    weights = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    ax = plotting.attention_heatmap(weights)
    drawn = ax.images[0].get_array()
    assert drawn.shape == (2, 3)
    np.testing.assert_array_equal(np.asarray(drawn), weights.numpy())


def test_bar_distribution_shows_each_value_and_is_readable():
    probabilities = torch.softmax(torch.tensor([2.0, 1.0, 0.1]), dim=-1)
    ax = plotting.bar_distribution(
        probabilities, labels=["a", "b", "c"], title="softmax"
    )
    assert problems_of(ax.figure) == []
    shown = [text.get_text() for text in ax.texts]
    assert shown == [f"{value:.2f}" for value in probabilities.tolist()]


def test_line_plot_keeps_curves_apart_without_colour():
    curves = {f"curve {i}": [i, i + 1, i + 2] for i in range(5)}
    ax = plotting.line_plot([1, 2, 3], curves, xlabel="x", ylabel="y", logx=True)
    assert problems_of(ax.figure) == []
    styles = {
        (line.get_color(), line.get_marker(), line.get_linestyle()) for line in ax.lines
    }
    assert len(styles) == 5
    assert len({line.get_marker() for line in ax.lines}) == 5  # told apart in grey too
    assert [text.get_text() for text in ax.get_legend().get_texts()] == list(curves)
    assert ax.get_xscale() == "log"


def test_to_numpy_takes_tensors_with_gradients_and_plain_lists():
    values = torch.ones(3, requires_grad=True) * 2
    assert plotting.to_numpy(values).tolist() == [2.0, 2.0, 2.0]
    assert plotting.to_numpy([1, 2]).dtype == np.float32


def crowded_axis_figure(count, rotation=0, width_in=4.0):
    figure, ax = plt.subplots(figsize=(width_in, 3), dpi=100, layout="constrained")
    ax.plot(range(count), range(count))
    ax.set_xticks(range(count), [f"token {i}" for i in range(count)], rotation=rotation)
    ax.set_xlabel("key")
    ax.set_ylabel("weight")
    figure.canvas.draw()
    return figure


def test_overlapping_tick_labels_are_flagged():
    found = problems_of(crowded_axis_figure(20))
    assert len(found) == 1 and "x tick labels overlap" in found[0]


def test_rotated_or_sparse_tick_labels_pass():
    assert problems_of(crowded_axis_figure(20, rotation=90)) == []
    assert problems_of(crowded_axis_figure(4)) == []


def test_rotated_labels_too_close_for_their_line_height_are_flagged():
    found = problems_of(crowded_axis_figure(80, rotation=90, width_in=3.0))
    assert any("x tick labels overlap" in problem for problem in found)


def test_tick_labels_of_two_lines_are_measured_line_by_line():
    import warnings

    def labelled_figure(lines):
        figure, ax = plt.subplots(figsize=(4, 3), dpi=100, layout="constrained")
        ax.plot(range(14), range(14))
        labels = [f"T={i}" + "\n(tokens)" * (lines - 1) for i in range(14)]
        ax.set_yticks(range(14), labels)
        ax.set_xlabel("key")
        ax.set_ylabel("length")
        figure.canvas.draw()
        return figure

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a newline measured as a glyph warns
        one, two = problems_of(labelled_figure(1)), problems_of(labelled_figure(2))
    # 14 labels about 15 pixels apart: room for one line each, not for two.
    assert one == []
    assert any("y tick labels overlap" in problem for problem in two), two


def test_install_under_agg_records_figures_at_show(tmp_path):
    log = tmp_path / "figures.jsonl"
    original_print, original_show = (
        matplotlib.backend_bases.FigureCanvasBase.print_figure,
        plt.show,
    )
    try:
        figure_audit.install(log)
        small, _ = labelled_line_figure()
        wide, _ = labelled_line_figure(width_in=12)
        plt.show()  # Agg shows nothing: the audit draws, records and closes the open figures
    finally:
        matplotlib.backend_bases.FigureCanvasBase.print_figure = original_print
        plt.show = original_show
    widths = [record["width_px"] for record in figure_audit.read(log)]
    assert widths == [shown_image_size(small)[0], shown_image_size(wide)[0]]
    assert widths[0] < 600 < 900 < widths[1]
    assert plt.get_fignums() == []
