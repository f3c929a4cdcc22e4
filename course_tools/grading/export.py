"""Grades for a learning platform (instructors; `course export`).

    course export --roster roster.csv        # every assignment graded under build/grading/

reads the gradebook that `course grade` keeps for each assignment
(`build/grading/<assignment>/gradebook.db`, late penalties included) and writes, in
`build/export/`:

    canvas.csv     Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID,
                   Section, then one column per assignment, and a "Points Possible" row
    moodle.csv     Moodle's grade import (CSV): the identity columns the roster has
                   (Email address, ID number, Username), then one column per assignment
    grades_wide.csv  one row per student: every test's points, each assignment's late
                   penalty and total
    missing.csv    every roster student without a grade in an assignment, and every
                   graded student the roster does not know

The roster is a CSV file with a `student` column (the id `course grade` used: the
submission's folder or file name) and, as the platform needs, `name`, `canvas_id`,
`sis_user_id`, `sis_login_id`, `section`, `email`, `id_number`, `username`. Students are
matched by `student` only. Nobody is dropped silently: a roster student with no grade gets
an empty cell (the platform leaves the grade as it is) and a line in missing.csv; a graded
student missing from the roster is listed there and printed. Only exports are written:
the gradebooks are opened read-only.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path

ROSTER_COLUMNS = (
    "student",
    "name",
    "canvas_id",
    "sis_user_id",
    "sis_login_id",
    "section",
    "email",
    "id_number",
    "username",
)
# Roster column -> Moodle's name for it, in the order Moodle lists identity fields.
MOODLE_IDENTITY = {
    "email": "Email address",
    "id_number": "ID number",
    "username": "Username",
}


class ExportError(ValueError):
    """Input `course export` cannot use; the message says what was expected."""


@dataclass
class AssignmentGrades:
    """One assignment's gradebook, read back: per student, the points of every test."""

    name: str
    max_score: float
    tests: list[tuple[str, float]]  # (grade_id, max points), notebook order
    scores: dict[str, float] = field(default_factory=dict)  # student -> after penalty
    penalties: dict[str, float] = field(default_factory=dict)
    points: dict[str, dict[str, float]] = field(default_factory=dict)  # student -> test


def read_gradebook(assignment: str, database: Path) -> AssignmentGrades:
    """Every submission of `assignment` in one of `course grade`'s gradebooks."""
    import warnings

    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)
    # Read-only: an export never changes a grade.
    with Gradebook(f"sqlite:///file:{database}?mode=ro&uri=true") as gradebook:
        record = gradebook.find_assignment(assignment)
        tests = [
            (cell.name, float(cell.max_score))
            for notebook in record.notebooks
            for cell in notebook.grade_cells
        ]
        grades = AssignmentGrades(assignment, float(record.max_score), tests)
        for submission in record.submissions:
            student = submission.student.id
            penalty = float(submission.late_submission_penalty or 0.0)
            grades.penalties[student] = penalty
            grades.scores[student] = max(0.0, float(submission.score) - penalty)
            grades.points[student] = {
                grade.name: float(grade.score)
                for notebook in submission.notebooks
                for grade in notebook.grades
            }
    return grades


def graded_assignments(
    folder: Path, only: list[str] | None = None
) -> list[AssignmentGrades]:
    """Every assignment with a gradebook under `folder` (or those in `only`), by name."""
    if not folder.is_dir():
        raise ExportError(
            f"no folder {folder}: grade an assignment first (`course grade <assignment> "
            "<submissions>`) or point --graded at the folder that holds its results"
        )
    found = {p.parent.name: p for p in sorted(folder.glob("*/gradebook.db"))}
    if only:
        unknown = [a for a in only if a not in found]
        if unknown:
            raise ExportError(
                f"no gradebook for {unknown} under {folder}; graded so far: "
                f"{sorted(found) or 'nothing'}"
            )
        found = {a: found[a] for a in only}
    if not found:
        raise ExportError(
            f"nothing graded under {folder} (no <assignment>/gradebook.db): run "
            "`course grade` first"
        )
    return [read_gradebook(name, path) for name, path in found.items()]


def read_roster(path: Path) -> list[dict[str, str]]:
    """The roster's rows, `student` required and unique (see the module docstring)."""
    if not path.is_file():
        raise ExportError(f"no roster file at {path}")
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = [c.strip() for c in reader.fieldnames or []]
        if "student" not in columns:
            raise ExportError(
                f"{path} has no 'student' column (found {columns}); expected student and "
                f"any of {list(ROSTER_COLUMNS[1:])}"
            )
        rows, seen = [], set()
        for number, raw in enumerate(reader, start=2):
            row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
            student = row.get("student", "")
            if not student:
                raise ExportError(f"{path} line {number}: the student id is empty")
            if student in seen:
                raise ExportError(f"{path} line {number}: student {student!r} twice")
            seen.add(student)
            rows.append(row)
    return rows


def _points(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    temporary = path.with_suffix(".tmp")
    with open(temporary, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    os.replace(temporary, path)


@dataclass
class ExportSummary:
    folder: Path
    students: int
    assignments: list[str]
    missing: list[tuple[str, str]]  # (student, assignment) with no grade
    unknown: list[str]  # graded students the roster does not list


def export_grades(
    graded: Path | str,
    out: Path | str,
    roster: Path | str | None = None,
    assignments: list[str] | None = None,
) -> ExportSummary:
    """Write canvas.csv, moodle.csv, grades_wide.csv and missing.csv (module docstring)."""
    every = graded_assignments(Path(graded), assignments)
    graded_students = sorted({s for a in every for s in a.scores})
    if roster is not None:
        people = read_roster(Path(roster))
    else:
        people = [{"student": s} for s in graded_students]
    known = {p["student"] for p in people}
    unknown = [s for s in graded_students if s not in known]
    missing = [
        (p["student"], a.name)
        for a in every
        for p in people
        if p["student"] not in a.scores
    ]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)

    def score(assignment: AssignmentGrades, student: str) -> str:
        return _points(assignment.scores.get(student))

    canvas_header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    canvas = [
        ["Points Possible", "", "", "", ""] + [_points(a.max_score) for a in every]
    ]
    for p in people:
        login = p.get("sis_login_id") or ("" if roster else p["student"])
        canvas.append(
            [
                p.get("name") or p["student"],
                p.get("canvas_id", ""),
                p.get("sis_user_id", ""),
                login,
                p.get("section", ""),
            ]
            + [score(a, p["student"]) for a in every]
        )
    _write(out / "canvas.csv", canvas_header + [a.name for a in every], canvas)

    identity = [c for c in MOODLE_IDENTITY if any(p.get(c) for p in people)] or [
        "username"
    ]
    moodle = [
        [p.get(c) or (p["student"] if c == "username" else "") for c in identity]
        + [score(a, p["student"]) for a in every]
        for p in people
    ]
    _write(
        out / "moodle.csv",
        [MOODLE_IDENTITY[c] for c in identity] + [a.name for a in every],
        moodle,
    )

    wide_header = ["student"]
    for a in every:
        wide_header += [f"{a.name}:{test}" for test, _ in a.tests]
        wide_header += [f"{a.name}:late_penalty", f"{a.name}:total"]
    wide = []
    for student in [p["student"] for p in people] + unknown:
        row = [student]
        for a in every:
            points = a.points.get(student)
            row += [_points(points.get(test)) if points else "" for test, _ in a.tests]
            row += [_points(a.penalties.get(student)), score(a, student)]
        wide.append(row)
    maximum = ["(maximum)"]
    for a in every:
        maximum += [_points(m) for _, m in a.tests] + ["", _points(a.max_score)]
    _write(out / "grades_wide.csv", wide_header, [maximum] + wide)

    _write(
        out / "missing.csv",
        ["student", "assignment", "why"],
        [[s, a, "no grade: not submitted or not graded yet"] for s, a in missing]
        + [[s, "", "graded but not in the roster"] for s in unknown],
    )
    return ExportSummary(out, len(people), [a.name for a in every], missing, unknown)
