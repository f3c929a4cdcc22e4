"""Every lesson, as a student and an instructor meet it in JupyterLab.

For each solution notebook in solutions/: open it, run all cells in full (the lesson's
full run, tests/full_run.py: SHORTENED lessons in the quick kernel), and require that
every cell ran with no error output, that every widget renders, that moving each widget's
control changes what it shows, that the plots render, that every figure drawn passes the
figure audit and that the run stays within the lesson's time budget. A screenshot of the
whole notebook is saved to build/screenshots/<lesson>.png for the authors to look at;
not under CI=true, which keeps no files (laying out and drawing a whole lesson at once
takes Chromium about 5 s).
"""

from __future__ import annotations

import os
import time

import pytest
from conftest import record_time
from full_run import (
    BUDGET_S,
    DEFAULT_BUDGET_S,
    figure_problems,
    is_progress_bar,
    over_budget,
)

from course_tools.release import lesson_ids

from .labdriver import tree_cpu_seconds

pytestmark = pytest.mark.browser


def problems_after_run(cells: list[dict]) -> list[str]:
    """What went wrong in a run of all cells, in words a lesson author can act on."""
    problems = []
    for cell in cells:
        if cell["type"] != "code":
            continue
        first_line = (
            cell["source"].strip().splitlines()[0][:60]
            if cell["source"].strip()
            else "(empty)"
        )
        where = f"cell {cell['index']} ({first_line})"
        if cell["executionCount"] is None:
            problems.append(f"{where} never ran")
        for out in cell["outputs"]:
            if out["type"] == "error":
                problems.append(f"{where} raised {out['ename']}: {out['evalue']}")
            elif (
                out["type"] == "stream"
                and out["name"] == "stderr"
                and not is_progress_bar(out["text"])
            ):
                problems.append(f"{where} wrote to stderr: {out['text'].strip()[:300]}")
            elif out["widget"] and not out["widgetRendered"]:
                problems.append(
                    f"{where}: a widget did not render ({(out['domText'] or '').strip()[:120]!r})"
                )
            elif out["widget"] and "Error displaying widget" in (out["domText"] or ""):
                problems.append(f"{where}: {out['domText'].strip()[:200]}")
            elif "image/png" in out["mimes"] and out["images"] == 0:
                problems.append(
                    f"{where}: a plot is in the notebook but not on the page"
                )
            elif out["widget"] and out["height"] < 5:
                problems.append(f"{where}: a widget rendered with no height")
    return problems


@pytest.mark.parametrize("lesson", lesson_ids())
def test_lesson_runs_and_its_widgets_respond(lesson, lab, screenshots):
    notebook = f"solutions/{lesson}/{lesson}.ipynb"
    figure_log = lab.server.figure_log(notebook)
    figure_log.unlink(missing_ok=True)  # another test may have opened the same lesson
    start, cpu_start = time.perf_counter(), tree_cpu_seconds()
    lab.open(notebook)
    opened = time.perf_counter()
    # Twice what over_budget allows: a slow run fails with its times, not a timeout.
    budget_s = BUDGET_S.get(lesson, DEFAULT_BUDGET_S)
    cells = lab.run_all(timeout_ms=4 * budget_s * 1000)
    ran_all = time.perf_counter()
    kernel_cpu = tree_cpu_seconds(lab.server.kernel_pid(notebook))
    lab.wait_widgets_rendered()
    lab.wait_images()
    cells = lab.cells()
    ran = time.perf_counter()
    problems = problems_after_run(cells)
    slow = over_budget(lesson, ran_all - opened, kernel_cpu)
    problems += [slow] if slow else []

    widget_outputs = [
        out for cell in cells for out in cell.get("outputs", []) if out["widget"]
    ]
    moved, not_moved = lab.exercise_widgets(cells) if not problems else ([], [])
    problems += not_moved
    interacted = time.perf_counter()
    if not problems and widget_outputs and not moved:
        problems.append(
            f"{len(widget_outputs)} widget(s) rendered, but none has a control the test could move"
        )

    images = lab.page.evaluate(
        "(path) => window.__coursePanel(path).content.node.querySelectorAll("
        "'.jp-OutputArea-output img').length",
        lab.path,
    )
    if images == 0:
        problems.append("no plot appears anywhere in the notebook")
    math_errors = lab.page.locator(".jp-NotebookPanel mjx-merror").count()
    if math_errors:
        problems.append(f"{math_errors} formula(s) in the text failed to typeset")
    if lab.page_errors:
        problems.append(f"JavaScript errors in the page: {lab.page_errors[:3]}")
    # After the widgets moved: the figures they redrew are audited too.
    if images and not figure_log.exists():
        problems.append(
            f"the page shows {images} plot(s), but the kernel recorded none for the "
            "figure audit (its IPython startup file, tests/browser/labdriver.py)"
        )
    problems += [
        f"a figure a student cannot read well: {problem}"
        for problem in figure_problems(figure_log)
    ]

    if not os.environ.get("CI"):
        lab.screenshot(screenshots / f"{lesson}.png")
    end = time.perf_counter()
    record_time(lesson, "browser: run all", ran - opened)
    record_time(lesson, "browser: kernel cpu", kernel_cpu)
    record_time(lesson, "browser: total", end - start)
    record_time(lesson, "browser: cpu", tree_cpu_seconds() - cpu_start)
    print(
        f"{lesson}: open {opened - start:.1f} s, run all {ran - opened:.1f} s, "
        f"widgets {interacted - ran:.1f} s ({len(moved)} controls), rest {end - interacted:.1f} s"
    )
    assert not problems, f"{lesson} in JupyterLab:\n- " + "\n- ".join(problems)
