"""`course report`: the class report, on a small graded folder written here in the format
course_tools.grading.batch writes (no real grading: it is slow)."""

from __future__ import annotations

import copy
import json

import pytest

from course_tools import figure_audit
from course_tools.grading import report
from course_tools.grading.batch import Row, write_csv
from course_tools.release import COURSE_ROOT

LESSON = "00_orientation"
NAN = "softmax(big) has NaN where the reference has none."
HINT = "Hint: subtract the maximum before exp."


def differs(size: float) -> str:
    return (
        f"columns differs from the reference by up to {size} (at index (0, 1): "
        f"got {size + 0.1}, expected 0.1).\nHint: which dimension did you sum over?"
    )


# student -> (failed test -> message, problems, seconds, graded)
CLASS = {
    "ann": ({}, [], 12.0, True),
    "ben": ({"test_softmax_large_values": f"{NAN}\n{HINT}"}, [], 14.5, True),
    "cat": ({"test_softmax_large_values": f"{NAN}\n{HINT}"}, [], 11.0, True),
    "dan": (
        {
            "test_softmax_large_values": f"{NAN}\n{HINT}",
            "test_softmax_any_dim": differs(0.25),
        },
        [],
        30.0,
        True,
    ),
    "eve": (
        {"test_softmax_any_dim": differs(0.5)},
        ["suspicious, please review: the notebook reads files outside its folder"],
        13.0,
        True,
    ),
    "fay": ({}, ["nbgrader could not grade this notebook: SyntaxError"], 2.0, False),
}


def release() -> dict:
    return json.loads(
        (COURSE_ROOT / "notebooks" / LESSON / f"{LESSON}.ipynb").read_text()
    )


def graded_tests(notebook: dict) -> list[str]:
    return [
        c["metadata"]["nbgrader"]["grade_id"]
        for c in notebook["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade") and c["cell_type"] == "code"
    ]


def write_graded(folder, students=CLASS) -> None:
    """results/<student>.json, autograded notebooks and grades.csv, as batch.py writes them."""
    template = release()
    tests = graded_tests(template)
    (folder / "results").mkdir(parents=True)
    rows = []
    for student, (failed, problems, seconds, graded) in students.items():
        grades, autograded = [], None
        if graded:
            notebook = copy.deepcopy(template)
            for cell in notebook["cells"]:
                grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
                if cell["cell_type"] == "code":
                    cell["outputs"] = []
                if grade_id in failed:
                    message = failed[grade_id]
                    name = "CheckFailed"
                    if message == "NotImplementedError":  # an exercise left unanswered
                        name, message = message, ""
                    cell["outputs"] = [
                        {
                            "output_type": "error",
                            "ename": name,
                            "evalue": message,
                            "traceback": ["\x1b[0;31mCheckFailed\x1b[0m", message],
                        }
                    ]
            autograded = f"autograded/{student}/{LESSON}/{LESSON}.ipynb"
            path = folder / autograded
            path.parent.mkdir(parents=True)
            path.write_text(json.dumps(notebook))
            grades = [
                {
                    "name": test,
                    "auto_score": 0.0 if test in failed else 1.0,
                    "max_score": 1.0,
                    "cell_type": "code",
                    "needs_manual_grade": False,
                }
                for test in tests
            ] + [
                {
                    "name": "answer_max_trick",
                    "auto_score": None,
                    "max_score": 2.0,
                    "cell_type": "markdown",
                    "needs_manual_grade": True,
                }
            ]
        result = {
            "student": student,
            "assignment": LESSON,
            "grades": grades,
            "problems": problems,
            "autograded": autograded,
            "feedback": None,
            "log": f"logs/{student}.log",
            "seconds": seconds,
        }
        record = {
            "key": "k" + student,
            "origin": f"/in/{student}.ipynb",
            "result": result,
        }
        (folder / "results" / f"{student}.json").write_text(json.dumps(record))
        score = sum(g["auto_score"] or 0 for g in grades)
        rows.append(Row(student, score, 8, score, 6, 2, problems))
    write_csv(rows, folder / "grades.csv")  # as `course grade` writes it
    (folder / "gradebook.db").write_bytes(b"gradebook bytes")


@pytest.fixture
def graded(tmp_path):
    folder = tmp_path / "graded"
    write_graded(folder)
    return folder


def snapshot(folder) -> dict:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_reads_rates_and_messages(graded):
    data = report.load(graded, LESSON)
    assert [s.student for s in data.students] == list(CLASS)
    assert {s.student: s.kind for s in data.students}["fay"] == "errored"
    assert {s.student: s.kind for s in data.students}["eve"] == "flagged"
    rates = {
        test: (failed, total) for test, failed, total in report.failure_rates(data)
    }
    # fay could not be graded: she fails every test.
    assert rates["test_softmax_large_values"] == (4, 6)
    assert rates["test_softmax_any_dim"] == (3, 6)
    assert rates["test_softmax_shape_and_sums"] == (1, 6)
    top, second = report.common_failures(data)[:2]
    assert (top["test"], top["message"], top["students"]) == (
        "test_softmax_large_values",
        NAN,
        3,
    )
    assert top["hint"] == "subtract the maximum before exp."
    # The same message with other numbers is counted together.
    assert (second["test"], second["students"]) == ("test_softmax_any_dim", 2)


def test_unanswered_exercises_are_not_the_most_common_mistake(tmp_path):
    unanswered = {"test_softmax_any_dim": "NotImplementedError"}
    students = dict(CLASS, **{f"u{n}": (unanswered, [], 5.0, True) for n in range(4)})
    write_graded(tmp_path, students)
    data = report.load(tmp_path, LESSON)
    top = report.common_failures(data)[0]
    assert (top["message"], top["students"]) == ("NotImplementedError", 4)
    page = report.render(data)
    lead = page.split('id="most-common">')[1].split("</p>")[0]
    assert NAN in lead and "3 of 10" in lead


def test_figures_follow_the_figure_rules(graded):
    figures = report.draw_figures(report.load(graded, LESSON))
    assert sorted(figures) == ["failures", "scores", "times"]
    for name, figure in figures.items():
        figure.canvas.draw()
        assert figure_audit.problems(figure_audit.describe(figure)) == [], name


def test_errors_help_and_nothing_else_written(graded, tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        report.main(["--help"])
    assert stop.value.code == 0
    assert "report.html" in capsys.readouterr().out

    assert report.main(["no_such_lesson", "--graded", str(graded)]) == 2
    assert "no assignment 'no_such_lesson'" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert report.main([LESSON, "--graded", str(tmp_path / "empty")]) == 2
    assert "never graded" in capsys.readouterr().err
    assert report.main([LESSON, "--graded", str(tmp_path / "absent")]) == 2
    assert "no graded folder" in capsys.readouterr().err
    assert report.main(["01_rnn_limits", "--graded", str(graded)]) == 2
    assert "not '01_rnn_limits'" in capsys.readouterr().err

    before = snapshot(graded)
    assert report.main([LESSON, "--graded", str(graded)]) == 0
    after = snapshot(graded)
    assert sorted(set(after) - set(before)) == ["report.html"]
    assert {k: after[k] for k in before} == before
    out = tmp_path / "elsewhere"
    assert report.main([LESSON, "--graded", str(graded), "--out", str(out)]) == 0
    assert [p.name for p in out.iterdir()] == ["report.html"]
