"""`course export`: Canvas's and Moodle's import formats and a wide CSV, from the gradebooks
`course grade` keeps (course_tools.grading.export)."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest

from course_tools.cli import main
from course_tools.grading.export import ExportError, export_grades


def make_gradebook(folder: Path, assignment: str, scores: dict, penalties=None) -> Path:
    """A gradebook as `course grade` leaves it: tests t1 (2 points) and t2 (3 points)."""
    import warnings

    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)
    database = folder / assignment / "gradebook.db"
    database.parent.mkdir(parents=True)
    with Gradebook(f"sqlite:///{database}") as gradebook:
        gradebook.add_assignment(assignment)
        gradebook.add_notebook(assignment, assignment)
        for name, points in (("t1", 2), ("t2", 3)):
            gradebook.add_grade_cell(
                name, assignment, assignment, max_score=points, cell_type="code"
            )
        for student, (t1, t2) in scores.items():
            gradebook.update_or_create_student(student)
            gradebook.add_submission(assignment, student)
            for name, value in (("t1", t1), ("t2", t2)):
                gradebook.find_grade(
                    name, assignment, assignment, student
                ).auto_score = value
            notebook = gradebook.find_submission_notebook(
                assignment, assignment, student
            )
            notebook.late_submission_penalty = (penalties or {}).get(student, 0.0)
            gradebook.db.commit()
    return database


def rows(path: Path) -> list[list[str]]:
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("graded")
    folder = tmp_path / "grading"
    make_gradebook(folder, "02_dot", {"ana": (2, 3), "ben": (1, 0)}, {"ana": 1.5})
    make_gradebook(folder, "03_mha", {"ana": (2, 1), "zoe": (0, 3)})
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "student,name,canvas_id,sis_user_id,sis_login_id,section,email\n"
        "ana,Ana Lima,101,S1,ana01,A,ana@uni.edu\n"
        "ben,Ben Ode,102,S2,ben02,A,ben@uni.edu\n"
        "cat,Cat Sun,103,S3,cat03,B,cat@uni.edu\n"
    )
    return folder, roster


def test_canvas_csv_has_the_import_headers_and_points_possible(graded, tmp_path):
    folder, roster = graded
    export_grades(folder, tmp_path / "out", roster)
    table = rows(tmp_path / "out" / "canvas.csv")
    assert table[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "02_dot",
        "03_mha",
    ]
    assert table[1] == ["Points Possible", "", "", "", "", "5", "5"]
    # ana: 5 points less a 1.5-point late penalty; cat submitted nothing: left empty.
    assert table[2] == ["Ana Lima", "101", "S1", "ana01", "A", "3.5", "3"]
    assert table[3] == ["Ben Ode", "102", "S2", "ben02", "A", "1", ""]
    assert table[4] == ["Cat Sun", "103", "S3", "cat03", "B", "", ""]


def test_moodle_csv_identifies_students_by_the_rosters_identity_columns(
    graded, tmp_path
):
    folder, roster = graded
    export_grades(folder, tmp_path / "out", roster)
    table = rows(tmp_path / "out" / "moodle.csv")
    assert table[0] == ["Email address", "02_dot", "03_mha"]
    assert table[1:] == [
        ["ana@uni.edu", "3.5", "3"],
        ["ben@uni.edu", "1", ""],
        ["cat@uni.edu", "", ""],
    ]


def test_wide_csv_has_every_tests_points(graded, tmp_path):
    folder, roster = graded
    export_grades(folder, tmp_path / "out", roster)
    table = rows(tmp_path / "out" / "grades_wide.csv")
    assert table[0] == [
        "student",
        "02_dot:t1",
        "02_dot:t2",
        "02_dot:late_penalty",
        "02_dot:total",
        "03_mha:t1",
        "03_mha:t2",
        "03_mha:late_penalty",
        "03_mha:total",
    ]
    assert table[1] == ["(maximum)", "2", "3", "", "5", "2", "3", "", "5"]
    by_student = {r[0]: r[1:] for r in table[2:]}
    assert by_student["ana"] == ["2", "3", "1.5", "3.5", "2", "1", "0", "3"]
    assert by_student["zoe"] == ["", "", "", "", "0", "3", "0", "3"]


def test_nobody_is_dropped_silently(graded, tmp_path, capsys):
    folder, roster = graded
    summary = export_grades(folder, tmp_path / "out", roster)
    assert summary.unknown == ["zoe"]
    assert ("cat", "02_dot") in summary.missing and ("ben", "03_mha") in summary.missing
    listed = rows(tmp_path / "out" / "missing.csv")
    assert ["zoe", "", "graded but not in the roster"] in listed
    assert (
        main(
            [
                "export",
                "--graded",
                str(folder),
                "--roster",
                str(roster),
                "--out",
                str(tmp_path / "o2"),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "zoe" in printed and "not in the roster" in printed


def test_without_a_roster_every_graded_student_is_exported(graded, tmp_path):
    folder, _ = graded
    export_grades(folder, tmp_path / "out")
    table = rows(tmp_path / "out" / "canvas.csv")
    assert [r[0] for r in table[2:]] == ["ana", "ben", "zoe"]
    assert [r[3] for r in table[2:]] == ["ana", "ben", "zoe"]  # SIS Login ID
    assert rows(tmp_path / "out" / "moodle.csv")[0][0] == "Username"


def test_the_gradebooks_are_not_changed(graded, tmp_path):
    folder, roster = graded
    before = {
        p: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*.db")
    }
    export_grades(folder, tmp_path / "out", roster)
    assert before == {
        p: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*.db")
    }


@pytest.mark.parametrize(
    "roster_text, message",
    [
        ("id,name\n1,Ana\n", "no 'student' column"),
        ("student\nana\nana\n", "twice"),
        ("student,name\n,Ana\n", "empty"),
    ],
)
def test_a_bad_roster_is_refused_with_what_was_expected(
    graded, tmp_path, roster_text, message
):
    folder, _ = graded
    roster = tmp_path / "bad.csv"
    roster.write_text(roster_text)
    with pytest.raises(ExportError, match=message):
        export_grades(folder, tmp_path / "out", roster)


def test_missing_inputs_get_clear_errors(graded, tmp_path, capsys):
    folder, roster = graded
    with pytest.raises(ExportError, match="no gradebook for \\['09_x'\\]"):
        export_grades(folder, tmp_path / "out", roster, assignments=["09_x"])
    with pytest.raises(ExportError, match="nothing graded"):
        export_grades(tmp_path, tmp_path / "out")
    code = main(["export", "--graded", str(tmp_path / "nowhere")])
    assert code == 2 and "no folder" in capsys.readouterr().err
