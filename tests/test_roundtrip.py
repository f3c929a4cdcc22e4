"""The nbgrader round trip of every lesson, graded by real `nbgrader autograde` runs:

- the solutions, handed in as a student's notebook, earn full marks on every test cell;
- the untouched release earns nothing;
- every plausible mistake in tests/mistakes/<lesson>/ loses points.
"""

from __future__ import annotations

import time

import pytest

from conftest import record_time
from course_utils.release import lesson_ids
from roundtrip import MISTAKES_DIR, autograde, load_mistakes, student_notebook

LESSONS = lesson_ids()
_graded: dict[str, dict] = {}


def graded(lesson: str) -> dict[str, dict[str, tuple]]:
    """All of a lesson's submissions, graded once and shared by the tests below."""
    if lesson not in _graded:
        submissions = {"solution": student_notebook(lesson), "untouched-release": student_notebook(lesson, solved=False)}
        for mistake in load_mistakes(lesson):
            submissions[f"mistake-{mistake.name}"] = student_notebook(lesson, {mistake.replaces: mistake.source})
        start = time.perf_counter()
        _graded[lesson] = autograde(lesson, submissions)
        record_time(lesson, f"autograde x{len(submissions)}", time.perf_counter() - start)
    return _graded[lesson]


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
    results = graded(lesson)
    escaped = []
    for mistake in mistakes:
        scores = results[f"mistake-{mistake.name}"]
        if sum(s for s, _ in scores.values()) >= sum(m for _, m in scores.values()):
            escaped.append(f"{mistake.name} ({mistake.description})")
    assert not escaped, f"{lesson}: these mistakes earn full marks: {escaped}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_graded_function_has_a_catalogue(lesson):
    from roundtrip import grade_id, source_notebook

    solution_cells = {grade_id(c) for c in source_notebook(lesson).cells
                      if c.cell_type == "code" and c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    covered = {m.replaces for m in load_mistakes(lesson)}
    assert solution_cells <= covered, f"{lesson}: no catalogued mistake for {sorted(solution_cells - covered)}"
