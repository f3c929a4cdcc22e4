"""The nbgrader round trip of every lesson:

- the solutions, handed in as a student's notebook, earn full marks on every test cell
  (graded by a real `nbgrader autograde` run);
- the untouched release earns nothing (idem);
- every plausible mistake in tests/mistakes/<lesson>/ loses points. The whole catalogue is
  graded in shared kernels (roundtrip.grade_in_shared_kernel), which score as nbgrader
  does; the solution and the release go through both graders, and the scores must agree
  cell for cell.
"""

from __future__ import annotations

import time

import pytest

from conftest import record_time
from course_utils.release import lesson_ids
from roundtrip import MISTAKES_DIR, autograde, grade_in_shared_kernel, load_mistakes, student_notebook

LESSONS = lesson_ids()
_by_nbgrader: dict[str, dict] = {}
_in_shared_kernel: dict[str, dict] = {}


def submissions(lesson: str) -> dict[str, object]:
    found = {"solution": student_notebook(lesson), "untouched-release": student_notebook(lesson, solved=False)}
    for mistake in load_mistakes(lesson):
        found[f"mistake-{mistake.name}"] = student_notebook(lesson, {mistake.replaces: mistake.source})
    return found


def cross_checked(lesson: str) -> list[str]:
    """The submissions that both graders grade: the solution (full marks) and the release (errors)."""
    return ["solution", "untouched-release"]


def graded(lesson: str) -> dict[str, dict[str, tuple]]:
    """Real nbgrader scores of the cross-checked submissions, graded once per lesson."""
    if lesson not in _by_nbgrader:
        every = submissions(lesson)
        start = time.perf_counter()
        # One worker: a second would pay nbgrader's start-up again for a single notebook.
        _by_nbgrader[lesson] = autograde(lesson, {name: every[name] for name in cross_checked(lesson)}, workers=1)
        record_time(lesson, f"nbgrader x{len(_by_nbgrader[lesson])}", time.perf_counter() - start)
    return _by_nbgrader[lesson]


def graded_in_shared_kernel(lesson: str) -> dict[str, dict[str, tuple]]:
    """Scores of every submission, the whole catalogue included, graded once per lesson."""
    if lesson not in _in_shared_kernel:
        every = submissions(lesson)
        start = time.perf_counter()
        _in_shared_kernel[lesson] = grade_in_shared_kernel(lesson, every)
        record_time(lesson, f"shared kernel x{len(every)}", time.perf_counter() - start)
    return _in_shared_kernel[lesson]


def describe(scores: dict[str, tuple]) -> str:
    return ", ".join(f"{cell}={score}/{maximum}" for cell, (score, maximum) in sorted(scores.items()))


@pytest.mark.parametrize("lesson", LESSONS)
def test_solution_earns_full_marks(lesson):
    scores = graded(lesson)["solution"]
    assert scores, f"{lesson} has no autograded test cells"
    lost = {cell: s for cell, s in scores.items() if s[0] != s[1]}
    assert not lost, f"{lesson}: the solutions lose points on {describe(lost)}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_untouched_release_earns_nothing(lesson):
    scores = graded(lesson)["untouched-release"]
    earned = {cell: s for cell, s in scores.items() if s[0] != 0}
    assert not earned, f"{lesson}: the release earns points with no work done: {describe(earned)}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_mistake_loses_points(lesson):
    mistakes = load_mistakes(lesson)
    assert mistakes, f"{lesson}: no catalogue of mistakes in {MISTAKES_DIR / lesson}"
    results = graded_in_shared_kernel(lesson)
    escaped = []
    for mistake in mistakes:
        scores = results[f"mistake-{mistake.name}"]
        if sum(s for s, _ in scores.values()) >= sum(m for _, m in scores.values()):
            escaped.append(f"{mistake.name} ({mistake.description})")
    assert not escaped, f"{lesson}: these mistakes earn full marks: {escaped}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_shared_kernel_scores_like_nbgrader(lesson):
    by_nbgrader, shared = graded(lesson), graded_in_shared_kernel(lesson)
    for name in cross_checked(lesson):
        assert shared[name] == by_nbgrader[name], (
            f"{lesson}, {name}: nbgrader gave {describe(by_nbgrader[name])}, the shared kernel {describe(shared[name])}")


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_graded_function_has_a_catalogue(lesson):
    from roundtrip import grade_id, source_notebook

    solution_cells = {grade_id(c) for c in source_notebook(lesson).cells
                      if c.cell_type == "code" and c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    covered = {m.replaces for m in load_mistakes(lesson)}
    assert solution_cells <= covered, f"{lesson}: no catalogued mistake for {sorted(solution_cells - covered)}"
