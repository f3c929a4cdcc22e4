"""The nbgrader round trip of every lesson:

- the solutions, handed in as a student's notebook, earn full marks on every test cell;
- the untouched release earns nothing;
- every plausible mistake in tests/mistakes/<lesson>/ loses points;
- every correct alternative in tests/alternatives/<lesson>/ earns exactly the solution's
  points, cell for cell.

The solution, the catalogues and the release are graded together in one process that runs
the cells they share once and forks where they differ (roundtrip.grade_forked), scoring as
nbgrader does. One mixed submission (a correct alternative, a mistake, an unanswered
exercise and solution code) of every lesson also goes through `course grade`, which runs
nbgrader's own autograde in the grading sandbox, and must score as the forked grading
does, cell for cell, within the default memory limit. In PLAIN_NBGRADER's lessons (or
everywhere, on a machine without the sandbox) plain nbgrader grades it too, and every
grader that ran must agree: that is the check that the sandbox changes no score.
"""

from __future__ import annotations

import functools
import json
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from conftest import record_time, require_sandbox
from roundtrip import (
    ALTERNATIVES_DIR,
    MISTAKES_DIR,
    autograde,
    grade_forked,
    grade_id,
    load_alternatives,
    load_mistakes,
    source_notebook,
    student_notebook,
)

from course_tools.release import lesson_ids

LESSONS = lesson_ids()
_by_nbgrader: dict[str, dict] = {}
_forked: dict[str, dict] = {}
_by_course_grade: dict[str, dict] = {}
_SCRATCH = Path(tempfile.mkdtemp(prefix="roundtrip-course-grade-"))


# Lessons whose mixed submission plain nbgrader also grades, beside `course grade`: what the
# sandbox could change is the same for every lesson, so two light lessons with several
# graded functions check it, and each other lesson pays for one nbgrader run, not two.
PLAIN_NBGRADER = {"02_dot_product_attention", "11_interpretability"}

# Each catalogue holds at least this many variants of every graded function.
MIN_MISTAKES = 4
MIN_ALTERNATIVES = 3
# Graded functions with fewer correct alternatives, and why no more exist.
FEW_ALTERNATIVES: dict[str, str] = {}


@functools.cache
def submissions(lesson: str) -> dict[str, object]:
    """Every submission of a lesson, built once: {name: notebook} (read, never changed)."""
    found = {
        "solution": student_notebook(lesson),
        "untouched-release": student_notebook(lesson, solved=False),
        "mixed": student_notebook(lesson, mixed_answers(lesson)),
    }
    for variant in load_mistakes(lesson) + load_alternatives(lesson):
        found[f"{variant.kind}-{variant.name}"] = student_notebook(
            lesson, {variant.replaces: variant.source}
        )
    return found


def mixed_answers(lesson: str) -> dict[str, str | None]:
    """One submission with every kind of answer the graders must agree on.

    In notebook order: the first graded function answered by a correct alternative, the
    second by a mistake, the last of three or more left as the release has it, the others
    as the solutions. A lesson with one graded function gets its first mistake.
    """
    functions = [
        c.metadata.nbgrader.grade_id
        for c in source_notebook(lesson).cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")
    ]
    first = {}
    for variant in load_alternatives(lesson) + load_mistakes(lesson):
        first.setdefault((variant.replaces, variant.kind), variant.source)
    if len(functions) == 1:
        return {functions[0]: first[functions[0], "mistake"]}
    answers: dict[str, str | None] = {
        functions[0]: first[functions[0], "alternative"],
        functions[1]: first[functions[1], "mistake"],
    }
    if len(functions) >= 3:
        answers[functions[-1]] = None
    return answers


def cross_checked(lesson: str) -> list[str]:
    """The submissions that every grader grades: the mixed one (see above), which holds a
    correct alternative, a mistake, an unanswered exercise and solution code; and the
    solution where a lesson has one graded function (its mixed one holds only a mistake)."""
    if len(graded_functions(lesson)) == 1:
        return ["solution", "mixed"]
    return ["mixed"]


def graded_functions(lesson: str) -> set[str]:
    return {
        grade_id(c)
        for c in source_notebook(lesson).cells
        if c.cell_type == "code"
        and c.get("metadata", {}).get("nbgrader", {}).get("solution")
    }


def by_a_real_grader(lesson: str) -> tuple[str, dict[str, dict[str, tuple]]]:
    """(which grader, its scores of the cross-checked submissions): `course grade`, which
    runs nbgrader's autograde in the sandbox, or plain nbgrader where there is no sandbox."""
    if lesson in PLAIN_NBGRADER:
        graded(lesson)  # both graders, side by side
    if sandbox_available():
        found = graded_by_course_grade(lesson)
        return "`course grade`", {name: got["scores"] for name, got in found.items()}
    return "nbgrader", graded(lesson)


def graded(lesson: str) -> dict[str, dict[str, tuple]]:
    """Plain nbgrader's scores of the cross-checked submissions, graded once per lesson.

    `course grade` grades the same sample first, one after the other: nbgrader's API and
    `course grade`'s template both run nbgrader in this process, which changes the
    working directory while it converts (course_tools.release.NBGRADER_API_LOCK), and
    `make test`'s other worker keeps the second core busy anyway.
    """
    if lesson not in _by_nbgrader:
        if sandbox_available():
            graded_by_course_grade(lesson)
        every = submissions(lesson)
        start = time.perf_counter()
        _by_nbgrader[lesson] = autograde(
            lesson, {name: every[name] for name in cross_checked(lesson)}
        )
        record_time(
            lesson,
            f"nbgrader x{len(_by_nbgrader[lesson])}",
            time.perf_counter() - start,
        )
    return _by_nbgrader[lesson]


@functools.cache
def sandbox_available() -> bool:
    from course_tools.grading.sandbox import SandboxUnavailable, check_sandbox

    try:
        check_sandbox()
    except SandboxUnavailable:
        return False
    return True


def graded_together(lesson: str) -> dict[str, dict[str, tuple]]:
    """Scores of every submission, the whole catalogue included, graded once per lesson."""
    if lesson not in _forked:
        every = submissions(lesson)
        start = time.perf_counter()
        # A mistake stops at its first lost point, except the one nbgrader also grades.
        stop = {name for name in every if name.startswith("mistake-")} - set(
            cross_checked(lesson)
        )
        _forked[lesson] = grade_forked(lesson, every, stop_at_loss=stop)
        record_time(lesson, f"forked x{len(every)}", time.perf_counter() - start)
    return _forked[lesson]


def graded_by_course_grade(lesson: str, workers: int = 1) -> dict[str, dict]:
    """`course grade` (sandboxed) on the cross-checked submissions of a lesson, once per lesson.

    {submission: {"scores": {test grade_id: (score, max)}, "feedback": html text or None}}
    """
    from course_tools.grading.batch import grade_batch
    from course_tools.grading.collect import student_id
    from course_tools.grading.sandbox import Limits

    if lesson not in _by_course_grade:
        every = submissions(lesson)
        folder, out = _SCRATCH / lesson / "submitted", _SCRATCH / lesson / "graded"
        folder.mkdir(parents=True)
        for name in cross_checked(lesson):
            nbformat.write(every[name], str(folder / f"{name}.ipynb"))
        start = time.perf_counter()
        grade_batch(
            lesson,
            folder,
            out,
            workers=workers,
            limits=Limits(wall=600),
            progress=False,
        )
        record_time(
            lesson,
            f"course grade x{len(cross_checked(lesson))}",
            time.perf_counter() - start,
        )
        found = {}
        for name in cross_checked(lesson):
            result = json.loads(
                (out / "results" / f"{student_id(name)}.json").read_text()
            )["result"]
            feedback = out / result["feedback"] if result.get("feedback") else None
            found[name] = {
                "scores": {
                    g["name"]: (g["auto_score"], g["max_score"])
                    for g in result["grades"]
                    if g["cell_type"] == "code"
                },
                "feedback": feedback.read_text()
                if feedback and feedback.exists()
                else None,
                "problems": result["problems"],
                "memory": result.get("memory"),
            }
        _by_course_grade[lesson] = found
    return _by_course_grade[lesson]


def describe(scores: dict[str, tuple]) -> str:
    return ", ".join(
        f"{cell}={score}/{maximum}" for cell, (score, maximum) in sorted(scores.items())
    )


@pytest.mark.parametrize("lesson", LESSONS)
def test_solution_earns_full_marks(lesson):
    scores = graded_together(lesson)["solution"]
    assert scores, f"{lesson} has no autograded test cells"
    lost = {cell: s for cell, s in scores.items() if s[0] != s[1]}
    assert not lost, f"{lesson}: the solutions lose points on {describe(lost)}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_untouched_release_earns_nothing(lesson):
    scores = graded_together(lesson)["untouched-release"]
    earned = {cell: s for cell, s in scores.items() if s[0] != 0}
    assert not earned, (
        f"{lesson}: the release earns points with no work done: {describe(earned)}"
    )


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_mistake_loses_points(lesson):
    mistakes = load_mistakes(lesson)
    assert mistakes, f"{lesson}: no catalogue of mistakes in {MISTAKES_DIR / lesson}"
    results = graded_together(lesson)
    escaped = []
    for mistake in mistakes:
        scores = results[f"mistake-{mistake.name}"]
        if sum(s for s, _ in scores.values()) >= sum(m for _, m in scores.values()):
            escaped.append(f"{mistake.name} ({mistake.description})")
    assert not escaped, f"{lesson}: these mistakes earn full marks: {escaped}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_forked_grading_scores_like_nbgrader(lesson):
    grader, reference = by_a_real_grader(lesson)
    forked = graded_together(lesson)
    earned = sum(s for s, _ in reference["mixed"].values())
    most = sum(m for _, m in reference["mixed"].values())
    some = len(graded_functions(lesson)) > 1  # then one function has a correct answer
    assert (0 < earned if some else 0 <= earned) and earned < most, (
        f"{lesson}: the mixed submission should lose points"
        + (" and earn some" if some else "")
        + f": {describe(reference['mixed'])} ({grader})"
    )
    for name in cross_checked(lesson):
        assert forked[name] == reference[name], (
            f"{lesson}, {name}: {grader} gave {describe(reference[name])}, the forked "
            f"grading {describe(forked[name])}"
        )


@pytest.mark.parametrize("lesson", LESSONS)
def test_course_grade_scores_like_nbgrader(lesson):
    """`course grade` grades every lesson within the default memory limit (4 GiB of real
    memory: PyTorch's address-space reservations do not count), and in PLAIN_NBGRADER's
    lessons gives plain nbgrader's scores; elsewhere the forked grading's (above)."""
    from course_tools.grading.sandbox import Limits

    require_sandbox()
    by_course_grade = graded_by_course_grade(lesson)
    by_nbgrader = graded(lesson) if lesson in PLAIN_NBGRADER else None
    for name in cross_checked(lesson):
        got = by_course_grade[name]
        assert by_nbgrader is None or got["scores"] == by_nbgrader[name], (
            f"{lesson}, {name}: nbgrader gave {describe(by_nbgrader[name])}, `course grade` "
            f"{describe(got['scores'])} (problems: {got['problems']})"
        )
        assert not got["problems"], f"{lesson}, {name}: {got['problems']}"
        memory = got["memory"]
        assert memory is not None, (
            f"{lesson}, {name}: no memory report ({got['problems']})"
        )
        assert memory["limit"] == Limits().memory and not memory["exceeded"], memory


@pytest.mark.parametrize("lesson", LESSONS)
def test_feedback_shows_no_hidden_test_or_solution(lesson):
    """Feedback names each test, its points and hint; it never shows hidden tests or the course's solution."""
    from course_tools.grading.feedback import visible_text
    from course_tools.grading.pack import solution_secrets

    require_sandbox()
    solution_lines, hidden_lines = solution_secrets()
    every = submissions(lesson)
    for name, graded_one in graded_by_course_grade(lesson).items():
        assert graded_one["feedback"], (
            f"{lesson}, {name}: no feedback was written ({graded_one['problems']})"
        )
        seen = set(visible_text(graded_one["feedback"]))
        written = {
            line.strip()
            for cell in every[name].cells
            for line in cell.source.split("\n")
        }
        leaked = sorted((seen & (solution_lines | hidden_lines)) - written)
        assert not leaked, (
            f"{lesson}, {name}: the feedback shows solution or hidden-test lines: {leaked[:5]}"
        )
        assert "BEGIN HIDDEN TESTS" not in graded_one["feedback"], (
            f"{lesson}, {name}: feedback shows a hidden-test marker"
        )
        for cell in every[name].cells:
            first = cell.source.split("\n", 1)[0].strip()
            if grade_id(cell) and first.startswith("# Test:"):
                assert first in seen, (
                    f"{lesson}, {name}: the feedback does not name the test {first!r}"
                )


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_alternative_earns_the_solutions_points(lesson):
    alternatives = load_alternatives(lesson)
    if not alternatives:
        pytest.fail(
            f"{lesson}: no catalogue of correct alternatives in {ALTERNATIVES_DIR / lesson}"
        )
    results = graded_together(lesson)
    solution = results["solution"]
    unfair = [
        f"{a.name} ({a.description}): {describe({c: s for c, s in results[f'alternative-{a.name}'].items() if s != solution.get(c)})}"
        for a in alternatives
        if results[f"alternative-{a.name}"] != solution
    ]
    assert not unfair, (
        f"{lesson}: these correct alternatives do not earn the solution's points: {unfair}"
    )


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_graded_function_has_both_catalogues(lesson):
    counts = {}
    for variant in load_mistakes(lesson) + load_alternatives(lesson):
        counts.setdefault((variant.replaces, variant.kind), 0)
        counts[variant.replaces, variant.kind] += 1
    short = []
    for function in sorted(graded_functions(lesson)):
        if counts.get((function, "mistake"), 0) < MIN_MISTAKES:
            short.append(
                f"{function}: {counts.get((function, 'mistake'), 0)} mistakes (at least {MIN_MISTAKES})"
            )
        if (
            counts.get((function, "alternative"), 0) < MIN_ALTERNATIVES
            and function not in FEW_ALTERNATIVES
        ):
            short.append(
                f"{function}: {counts.get((function, 'alternative'), 0)} alternatives "
                f"(at least {MIN_ALTERNATIVES}, or a reason in FEW_ALTERNATIVES)"
            )
    unknown = {
        v.replaces for v in load_mistakes(lesson) + load_alternatives(lesson)
    } - graded_functions(lesson)
    assert not unknown, (
        f"{lesson}: catalogue files replace cells that are not solution cells: {sorted(unknown)}"
    )
    assert not short, f"{lesson}: catalogues too short: {short}"
