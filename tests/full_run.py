"""What a full run of a lesson must show, wherever it runs.

A solution notebook runs top to bottom once per test run, in full mode (the demos and
training runs a student sees, not the shortened grading versions, except where
SHORTENED says otherwise): in JupyterLab, where Chromium can drive it
(tests/browser/test_lessons.py), or else headless in a kernel of its own
(tests/test_notebooks.py). Either way it must raise no error, write nothing to stderr
but progress bars, show only readable figures (course_tools.figure_audit) and stay
within its time budget.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from course_tools import figure_audit

# Seconds a lesson may take on 2 CPU cores (COURSE_DESIGN.md: about 90 s). A run fails
# only when both its wall time and the CPU time of its kernel are past twice the budget:
# `make test` runs two tests at once on two cores, so wall time alone would measure the
# neighbour too.
DEFAULT_BUDGET_S = 90
BUDGET_S = {
    "07_training_a_transformer": 240,
    "09_inside_a_pretrained_transformer": 120,  # imports the reference pipeline once
    # 21 training runs to a target loss (7 configurations x 3 seeds) and a 5-model sweep
    "10_modern_transformer": 180,
}
# Lessons whose full run is too long for the suite: they run with SHORTENED_ENV.
SHORTENED = {"07_training_a_transformer"}
SHORTENED_ENV = {"COURSE_QUICK": "1"}

BROWSER_TEST = "tests/browser/test_lessons.py::test_lesson_runs_and_its_widgets_respond"
HEADLESS_TEST = "tests/test_notebooks.py::test_solution_runs_top_to_bottom"


def over_budget(lesson: str, seconds: float, cpu: float) -> str | None:
    """Why a run of `seconds` (wall) and `cpu` (the kernel's) is too slow, or None."""
    budget = BUDGET_S.get(lesson, DEFAULT_BUDGET_S)
    if min(seconds, cpu) < 2 * budget:
        return None
    return (
        f"{lesson} took {seconds:.0f} s ({cpu:.0f} s of CPU), far over its {budget} s "
        "budget"
    )


def figure_problems(log: Path) -> list[str]:
    """Each problem of each figure recorded in a figure_audit log, numbered."""
    return [
        f"figure {number}: {problem}"
        for number, record in enumerate(figure_audit.read(log), start=1)
        for problem in figure_audit.problems(record)
    ]


def is_progress_bar(text: str) -> bool:
    """tqdm-style progress lines go to stderr by design; they are not errors."""
    return "\r" in text or "it/s]" in text or "%|" in text


def browser_can_run() -> bool:
    """Chromium and Playwright are here (tests/browser/ runs, or fails under CI)."""
    from browser.labdriver import find_chromium

    return (
        find_chromium() is not None
        and importlib.util.find_spec("playwright") is not None
    )


def run_in_browser_instead(items: list) -> dict[str, str]:
    """{node id of a headless full run: why it is skipped} for each lesson whose browser
    test is also selected and can run: one full run per lesson is enough."""
    ids = {item.nodeid for item in items}
    if not any(i.startswith(BROWSER_TEST) for i in ids) or not browser_can_run():
        return {}
    return {
        item.nodeid: "the lesson runs in full in JupyterLab instead "
        f"({BROWSER_TEST.split('::')[0]})"
        for item in items
        if item.nodeid.startswith(HEADLESS_TEST + "[")
        and BROWSER_TEST + item.nodeid[len(HEADLESS_TEST) :] in ids
    }
