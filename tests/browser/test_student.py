"""A student at work on a released notebook: type a solution, run the visible tests.

In the released notebook of a lesson, the test types a correct solution into the exercise
cell through the browser, runs the notebook down to the exercise's visible tests and sees
them pass; then types a plausible wrong solution and sees a visible test fail with a
message that names the mistake. Lesson 02 is the one the course asks for; lesson 00 runs
the same walk through its own exercise.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import nbformat
import pytest
from conftest import record_time

from course_tools.release import COURSE_ROOT

pytestmark = pytest.mark.browser

SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


@dataclass(frozen=True)
class Exercise:
    function: str  # the graded function the exercise cell defines
    wrong: str  # a plausible wrong solution, as a student would type it
    hint: str  # a regular expression the failure message must match


EXERCISES = {
    "02_dot_product_attention": Exercise(
        function="scaled_dot_product_attention",
        wrong="""def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-2)
    return weights @ v, weights
""",
        hint=r"query axis|dim=-1|over the keys",
    ),
    "00_orientation": Exercise(
        function="softmax",
        wrong="""def softmax(x, dim=-1):
    exps = torch.exp(x - x.amax(dim=dim, keepdim=True))
    return exps / exps.sum()
""",
        hint=r"sum over the right dimension|sum",
    ),
}


def solution_sources(lesson: str) -> dict[str, str]:
    """grade_id -> the solution cell's text as a student who solved it would leave it."""
    notebook = nbformat.read(
        str(COURSE_ROOT / "solutions" / lesson / f"{lesson}.ipynb"), as_version=4
    )
    sources = {}
    for cell in notebook.cells:
        nbgrader = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and nbgrader.get("solution"):
            lines = [
                line
                for line in cell.source.split("\n")
                if not SOLUTION_MARKERS.match(line)
            ]
            sources[nbgrader["grade_id"]] = "\n".join(lines)
    return sources


def failures(cell: dict) -> list[dict]:
    return [out for out in cell.get("outputs", []) if out["type"] == "error"]


@pytest.mark.parametrize("lesson", sorted(EXERCISES))
def test_student_solves_an_exercise(lesson, lab, screenshots):
    exercise = EXERCISES[lesson]
    released = COURSE_ROOT / "notebooks" / lesson / f"{lesson}.ipynb"
    if not released.exists():
        pytest.skip(
            f"{lesson} is not released yet (no {released.relative_to(COURSE_ROOT)}; `make release`)"
        )
    start = time.perf_counter()
    lab.open(f"notebooks/{lesson}/{lesson}.ipynb")
    cells = lab.cells()
    solutions = solution_sources(lesson)

    def is_solution(cell):
        return cell["type"] == "code" and cell["nbgrader"].get("solution")

    target = next(
        (
            c
            for c in cells
            if is_solution(c) and f"def {exercise.function}(" in c["source"]
        ),
        None,
    )
    assert target is not None, (
        f"{lesson}: no exercise cell defines {exercise.function}()"
    )
    visible_tests = []
    for cell in cells[target["index"] + 1 :]:
        if cell["type"] != "code":
            continue
        if not cell["nbgrader"].get("grade") or is_solution(cell):
            break
        visible_tests.append(cell["index"])
    assert visible_tests, (
        f"{lesson}: no test cell follows the exercise {exercise.function}()"
    )
    assert "NotImplementedError" in target["source"], (
        f"{lesson}: the released exercise is not a stub"
    )

    # Earlier exercises are solved too, so that running the notebook reaches this one.
    for cell in cells[: target["index"] + 1]:
        if is_solution(cell):
            lab.type_into(cell["index"], solutions[cell["nbgrader"]["grade_id"]])

    last = visible_tests[-1]
    lab.activate(last)
    lab.command("notebook:run-all-above")
    lab.wait_idle()
    lab.run_cell(last)
    cells = lab.cells()
    broken = [
        f"cell {c['index']}: {e['ename']}: {e['evalue']}"
        for c in cells[: last + 1]
        for e in failures(c)
    ]
    assert not broken, (
        f"{lesson}: with the correct solution typed in, cells fail:\n"
        + "\n".join(broken)
    )
    never_ran = [
        c["index"]
        for c in cells[: last + 1]
        if c["type"] == "code" and c["executionCount"] is None
    ]
    assert not never_ran, f"{lesson}: cells {never_ran} did not run"

    # Now a plausible mistake: the visible tests must catch it and say what is wrong.
    lab.type_into(target["index"], exercise.wrong)
    lab.run_cell(target["index"])
    for index in visible_tests:
        lab.run_cell(index)
    cells = lab.cells()
    caught = [(index, e) for index in visible_tests for e in failures(cells[index])]
    assert caught, (
        f"{lesson}: the wrong {exercise.function}() passes every visible test"
    )
    messages = [f"{e['ename']}: {e['evalue']}" for _, e in caught]
    helpful = [
        m
        for m in messages
        if re.search(exercise.hint, m, re.I)
        and re.match(r"(CheckFailed|AssertionError|ForbiddenCall)\b", m)
    ]
    assert helpful, (
        f"{lesson}: the visible tests fail on the wrong {exercise.function}(), but no message names "
        f"the mistake (expected one matching {exercise.hint!r}):\n"
        + "\n".join(messages)
    )
    # The message is on the page, where the student reads it.
    index = caught[0][0]
    lab.cell(index).scroll_into_view_if_needed()
    page_text = lab.cell(index).locator(".jp-OutputArea-output").first.inner_text()
    assert caught[0][1]["ename"] in page_text
    lab.cell(index).screenshot(
        path=str(screenshots / f"{lesson}-student-failing-test.png")
    )
    record_time(lesson, "browser: student", time.perf_counter() - start)
