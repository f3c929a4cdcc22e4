"""A class report for one graded assignment (instructors; `course report`).

    course report 00_orientation                       # build/grading/00_orientation/report.html
    course report 00_orientation --graded DIR --out DIR

It reads what `course grade` wrote (course_tools.grading.batch): `results/<student>.json`,
`grades.csv` when there is one, and the notebooks in `autograded/`. It writes one HTML page,
`report.html`, that needs nothing else to be read: the figures are PNG images inside the
page, and a content security policy forbids the page to load anything.

The page gives

- the distribution of scores (after any late penalty, as grades.csv has them);
- each test cell's failure rate: the share of submissions that did not get its full points
  (a submission that could not be graded fails every test);
- the most common failure messages: the first line of each failed test cell's error message,
  counted once per student, numbers ignored when messages are grouped, with the hint the
  check gave (the catalogued mistake the class makes most comes first);
- the grading time of each submission;
- the submissions that errored or were flagged, with what was found.

Nothing else is written: the gradebook, grades.csv, results/ and feedback/ are only read,
and the page replaces an earlier report.html in one step.
"""

from __future__ import annotations

import argparse
import base64
import csv
import html
import io
import json
import os
import re
import statistics
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPORT_NAME = "report.html"
FIGURE_WIDTH_IN = 8.0  # the figure rules allow at most 9 inches at 100 dpi
FIGURE_DPI = 100
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


class GradedFolderError(ValueError):
    """The folder is not one `course grade` wrote for this assignment."""


@dataclass
class Student:
    """What one student's grading left behind."""

    student: str
    score: float
    max_score: float
    seconds: float
    problems: list[str]
    tests: dict[str, tuple[float, float]]  # test cell -> (points, maximum)
    autograded: Path | None
    days_late: int = 0
    awaiting_manual: float = 0.0
    failures: dict[str, str] = field(default_factory=dict)  # test cell -> message

    @property
    def graded(self) -> bool:
        return bool(self.tests) and self.autograded is not None

    @property
    def kind(self) -> str:
        """'errored', 'flagged' or '' (the first that applies)."""
        if not self.graded:
            return "errored"
        if self.problems:
            return "flagged"
        return ""


@dataclass
class ClassResults:
    assignment: str
    folder: Path
    students: list[Student]
    tests: list[str]  # test cells, in notebook order


def default_folder(assignment: str) -> Path:
    from course_tools.release import course_root

    return course_root() / "build" / "grading" / assignment


def check_assignment(assignment: str) -> None:
    """Raise GradedFolderError unless `assignment` is one of the course's lessons."""
    from course_tools.release import course_root, lesson_ids

    if (course_root() / "solutions" / assignment).is_dir():
        return
    known = ", ".join(lesson_ids()) or "none"
    raise GradedFolderError(f"no assignment {assignment!r} (the course has: {known})")


def _number(text: str | None, default: float = 0.0) -> float:
    try:
        return float(text) if text not in (None, "") else default
    except ValueError:
        return default


def read_results(folder: Path, assignment: str) -> list[dict]:
    """The result records in `folder`/results, checked to be this assignment's."""
    folder = Path(folder)
    if not folder.is_dir():
        raise GradedFolderError(
            f"no graded folder {folder}: run `course grade {assignment} SUBMISSIONS` first"
        )
    results = folder / "results"
    paths = sorted(results.glob("*.json")) if results.is_dir() else []
    if not paths:
        raise GradedFolderError(
            f"{folder} was never graded (no results/<student>.json in it): run "
            f"`course grade {assignment} SUBMISSIONS` first"
        )
    records = []
    for path in paths:
        try:
            record = json.loads(path.read_text())
            result = record["result"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise GradedFolderError(
                f"{path} is not a grading result ({error})"
            ) from None
        if result.get("assignment") != assignment:
            raise GradedFolderError(
                f"{path} is a result of {result.get('assignment')!r}, not {assignment!r}"
            )
        records.append(record)
    return records


def _test_cells(notebook: dict) -> list[dict]:
    return [
        cell
        for cell in notebook.get("cells", [])
        if cell.get("cell_type") == "code"
        and cell.get("metadata", {}).get("nbgrader", {}).get("grade")
        and not cell.get("metadata", {}).get("nbgrader", {}).get("solution")
    ]


def failure_message(output: dict) -> str:
    """An error output as the student read it: its first line, and a 'Hint:' line if any."""
    name = output.get("ename") or "Error"
    lines = [
        _ANSI.sub("", line).strip()
        for line in str(output.get("evalue") or "").splitlines()
    ]
    lines = [line for line in lines if line]
    first = lines[0] if lines else ""
    if name not in ("CheckFailed", "AssertionError") or not first:
        first = f"{name}: {first}" if first else name
    hints = [line for line in lines[1:] if line.lower().startswith("hint:")]
    return first + (f"\n{hints[0]}" if hints else "")


def read_failures(path: Path) -> dict[str, str]:
    """test cell -> the message of its first error output, for one autograded notebook."""
    try:
        notebook = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    found = {}
    for cell in _test_cells(notebook):
        grade_id = cell["metadata"]["nbgrader"].get("grade_id", "")
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found[grade_id] = failure_message(output)
                break
    return found


def load(folder: Path | str, assignment: str) -> ClassResults:
    """Everything the report shows, read from a graded folder."""
    folder = Path(folder)
    records = read_results(folder, assignment)
    table: dict[str, dict] = {}
    csv_path = folder / "grades.csv"
    if csv_path.is_file():
        with open(csv_path, newline="") as handle:
            table = {row["student"]: row for row in csv.DictReader(handle)}
    students, order = [], []
    for record in records:
        result = record["result"]
        name = str(result.get("student", ""))
        tests = {}
        for grade in result.get("grades") or []:
            if grade.get("cell_type") != "code":
                continue
            tests[grade["name"]] = (
                float(grade.get("auto_score") or 0.0),
                float(grade.get("max_score") or 0.0),
            )
            if grade["name"] not in order:
                order.append(grade["name"])
        all_max = sum(
            float(g.get("max_score") or 0) for g in result.get("grades") or []
        )
        row = table.get(name, {})
        score = _number(row.get("score"), sum(points for points, _ in tests.values()))
        autograded = result.get("autograded")
        autograded = folder / autograded if autograded else None
        if autograded is not None and not autograded.is_file():
            autograded = None
        students.append(
            Student(
                student=name,
                score=score,
                max_score=_number(row.get("max_score"), all_max),
                seconds=float(result.get("seconds") or 0.0),
                problems=[str(p) for p in result.get("problems") or []],
                tests=tests,
                autograded=autograded,
                days_late=int(_number(row.get("days_late"))),
                awaiting_manual=_number(row.get("awaiting_manual_grading")),
                failures=read_failures(autograded) if autograded else {},
            )
        )
    return ClassResults(assignment, folder, students, order)


# -- what the page shows ------------------------------------------------------------------


def failure_rates(data: ClassResults) -> list[tuple[str, int, int]]:
    """(test cell, submissions that failed it, submissions) for each test cell."""
    rows = []
    for test in data.tests:
        failed = 0
        for student in data.students:
            points, maximum = student.tests.get(test, (0.0, 1.0))
            failed += points < maximum
        rows.append((test, failed, len(data.students)))
    return rows


def _group_key(message: str) -> str:
    return _NUMBER.sub("#", message.split("\n")[0])


def common_failures(data: ClassResults) -> list[dict]:
    """Failure messages grouped (numbers ignored), most students first.

    Each entry: test, message (the commonest wording), hint, students (how many).
    """
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for student in data.students:
        for test, message in student.failures.items():
            groups[(test, _group_key(message))].append(message)
    entries = []
    for (test, _), messages in groups.items():
        wording = Counter(messages).most_common(1)[0][0]
        first, _, hint = wording.partition("\n")
        entries.append(
            {
                "test": test,
                "message": first,
                "hint": hint.removeprefix("Hint:").strip(),
                "students": len(messages),
            }
        )
    order = {test: i for i, test in enumerate(data.tests)}
    entries.sort(key=lambda e: (-e["students"], order.get(e["test"], 0), e["message"]))
    return entries


def draw_figures(data: ClassResults) -> dict:
    """The report's matplotlib figures: 'scores', 'failures' and 'times' (when there is data)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from course_utils.plotting import OKABE_ITO

    figures = {}
    scores = [s.score for s in data.students]
    top = max([s.max_score for s in data.students] + scores + [1.0])
    figure, ax = plt.subplots(figsize=(FIGURE_WIDTH_IN, 3.4), layout="constrained")
    if top <= 40 and all(float(v).is_integer() for v in scores + [top]):
        bins = np.arange(-0.5, top + 1.0, 1.0)
    else:
        bins = np.linspace(0.0, top, 21)
    ax.hist(scores, bins=bins, color=OKABE_ITO[0], edgecolor="white")
    ax.set_xlim(bins[0], bins[-1])
    ax.set_xlabel(f"score (points out of {top:g}, after any late penalty)")
    ax.set_ylabel("submissions")
    ax.set_title(f"{data.assignment}: scores of {len(scores)} submissions")
    ax.yaxis.get_major_locator().set_params(integer=True)
    figures["scores"] = figure

    rates = failure_rates(data)
    if rates:
        height = max(2.4, 0.32 * len(rates) + 1.3)
        figure, ax = plt.subplots(
            figsize=(FIGURE_WIDTH_IN, height), layout="constrained"
        )
        names = [test for test, _, _ in rates][::-1]
        shares = [100.0 * failed / max(1, total) for _, failed, total in rates][::-1]
        positions = np.arange(len(names))
        bars = ax.barh(positions, shares, color=OKABE_ITO[5])
        ax.bar_label(bars, fmt="%.0f%%", padding=3, fontsize=9)
        ax.set_yticks(positions, names, fontsize=9)
        ax.set_xlim(0, 112)  # room for the label of a bar at 100 %
        ax.set_xticks(range(0, 101, 20))
        ax.set_xlabel("submissions that failed the test (%)")
        ax.set_ylabel("test cell")
        ax.set_title("failure rate of each test")
        figures["failures"] = figure

    times = [s.seconds for s in data.students if s.seconds > 0]
    if times:
        figure, ax = plt.subplots(figsize=(FIGURE_WIDTH_IN, 3.2), layout="constrained")
        ax.hist(times, bins=min(30, max(5, len(times) // 3)), color=OKABE_ITO[2])
        ax.set_xlabel("grading time of a submission (s)")
        ax.set_ylabel("submissions")
        ax.set_title(f"time per submission (median {statistics.median(times):.1f} s)")
        ax.yaxis.get_major_locator().set_params(integer=True)
        figures["times"] = figure
    return figures


def _png(figure) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI)
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _table(headers: list[str], rows: list[list], table_id: str) -> str:
    escape = html.escape
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>"
        for row in rows
    )
    return (
        f'<table id="{table_id}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


_STYLE = """
body { font-family: sans-serif; max-width: 60em; margin: 1em auto; padding: 0 1em;
       color: #111; line-height: 1.4; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #bbb; padding: 0.2em 0.6em; text-align: left;
         vertical-align: top; }
th { background: #eee; }
td { white-space: pre-wrap; }
img { max-width: 100%; height: auto; }
.lead { background: #f4f4f4; border-left: 4px solid #0072B2; padding: 0.5em 1em; }
"""


def render(data: ClassResults) -> str:
    """The report as one self-contained HTML page."""
    escape = html.escape
    students = data.students
    scores = [s.score for s in students]
    top = max([s.max_score for s in students] + [0.0])
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        # Nothing outside the page is loaded: images are data URLs, the style is inline.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src data:; style-src 'unsafe-inline'\">",
        f"<title>{escape(data.assignment)}: class report</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{escape(data.assignment)}: class report</h1>",
        f"<p>Read from <code>{escape(str(data.folder))}</code>: "
        f"{len(students)} submissions, "
        f"{sum(s.graded for s in students)} graded, "
        f"{sum(s.kind == 'errored' for s in students)} errored, "
        f"{sum(s.kind == 'flagged' for s in students)} flagged.</p>",
    ]
    figures = {name: _png(f) for name, f in draw_figures(data).items()}
    alt = {
        "scores": "histogram of the scores",
        "failures": "bar chart of the failure rate of each test",
        "times": "histogram of the grading time per submission",
    }

    def figure(name: str) -> str:
        if name not in figures:
            return ""
        return (
            f'<p><img id="figure-{name}" alt="{alt[name]}" '
            f'src="data:image/png;base64,{figures[name]}"></p>'
        )

    parts.append('<h2 id="scores">Score distribution</h2>')
    parts.append(figure("scores"))
    if scores:
        parts.append(
            _table(
                ["submissions", "mean", "median", "lowest", "highest", "maximum"],
                [
                    [
                        len(scores),
                        f"{statistics.mean(scores):.2f}",
                        f"{statistics.median(scores):g}",
                        f"{min(scores):g}",
                        f"{max(scores):g}",
                        f"{top:g}",
                    ]
                ],
                "score-summary",
            )
        )
    pending = sum(s.awaiting_manual for s in students)
    if pending:
        parts.append(
            f"<p>{pending:g} points across the class still await manual grading; the "
            "scores above leave them out.</p>"
        )

    parts.append('<h2 id="tests">Failure rate of each test</h2>')
    parts.append(
        "<p>A test is failed when it did not get its full points. A submission that "
        "could not be graded fails every test.</p>"
    )
    parts.append(figure("failures"))
    parts.append(
        _table(
            ["test cell", "failed", "submissions", "failure rate"],
            [
                [test, failed, total, f"{100.0 * failed / max(1, total):.0f}%"]
                for test, failed, total in failure_rates(data)
            ],
            "test-failures",
        )
    )

    parts.append('<h2 id="messages">Most common failure messages</h2>')
    entries = common_failures(data)
    # An exercise left unanswered raises NotImplementedError: not a mistake to teach.
    attempted = [
        e for e in entries if not e["message"].startswith("NotImplementedError")
    ]
    if attempted:
        lead = attempted[0]
        parts.append(
            f'<p class="lead" id="most-common">The mistake the class makes most: '
            f"<strong>{escape(lead['message'])}</strong> in "
            f"<code>{escape(lead['test'])}</code>, {lead['students']} of "
            f"{len(students)} students"
            + (
                f"; hint given: {escape(lead['hint'].rstrip('.'))}"
                if lead["hint"]
                else ""
            )
            + ".</p>"
        )
    if entries:
        parts.append(
            "<p>The first line of each failed test cell's message, counted once per "
            "student; messages that differ only in their numbers are counted together.</p>"
        )
        parts.append(
            _table(
                ["students", "test cell", "message", "hint"],
                [
                    [e["students"], e["test"], e["message"], e["hint"]]
                    for e in entries[:30]
                ],
                "failure-messages",
            )
        )
    else:
        parts.append("<p>No test cell of a graded notebook failed with a message.</p>")

    parts.append('<h2 id="times">Time per submission</h2>')
    parts.append(figure("times"))
    timed = sorted((s for s in students if s.seconds > 0), key=lambda s: -s.seconds)
    if timed:
        seconds = [s.seconds for s in timed]
        parts.append(
            f"<p>Median {statistics.median(seconds):.1f} s, longest {seconds[0]:.1f} s, "
            f"{sum(seconds):.0f} s in all. The slowest:</p>"
        )
        parts.append(
            _table(
                ["student", "seconds"],
                [[s.student, f"{s.seconds:.1f}"] for s in timed[:10]],
                "slowest",
            )
        )
    else:
        parts.append("<p>No grading time was recorded.</p>")

    parts.append('<h2 id="problems">Submissions that errored or were flagged</h2>')
    listed = [s for s in students if s.kind or s.days_late]
    if listed:
        parts.append(
            "<p><em>errored</em>: no graded notebook (nothing to grade, or the grader "
            "failed); <em>flagged</em>: graded, with something to review.</p>"
        )
        parts.append(
            _table(
                ["student", "status", "score", "days late", "what was found"],
                [
                    [
                        s.student,
                        s.kind or "late",
                        f"{s.score:g}",
                        s.days_late,
                        "\n".join(s.problems) or "-",
                    ]
                    for s in sorted(
                        listed, key=lambda s: (s.kind != "errored", s.student)
                    )
                ],
                "flagged",
            )
        )
    else:
        parts.append("<p>None: every submission was graded with nothing to review.</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_report(
    assignment: str, graded: Path | str | None = None, out: Path | str | None = None
) -> Path:
    """Write report.html for a graded assignment; returns its path."""
    check_assignment(assignment)
    folder = Path(graded) if graded else default_folder(assignment)
    data = load(folder, assignment)
    target_folder = Path(out) if out else folder
    if target_folder.exists() and not target_folder.is_dir():
        raise GradedFolderError(f"--out {target_folder} is a file, not a folder")
    target_folder.mkdir(parents=True, exist_ok=True)
    target = target_folder / REPORT_NAME
    temporary = target_folder / f".{REPORT_NAME}.{os.getpid()}.tmp"
    try:
        temporary.write_text(render(data), encoding="utf-8")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def report_command(args: argparse.Namespace) -> int:
    try:
        path = write_report(args.assignment, args.graded, args.out)
    except GradedFolderError as error:
        print(f"course report: {error}", file=sys.stderr)
        return 2
    print(f"class report written to {path}")
    return 0


def add_parser(commands) -> argparse.ArgumentParser:
    """Register `course report` on the `course` command's subparsers."""
    parser = commands.add_parser(
        "report",
        help="one HTML page about a graded assignment",
        description="Write report.html for an assignment `course grade` has graded: the "
        "score distribution, each test's failure rate, the most common failure "
        "messages, the time per submission, and the submissions that errored or were "
        "flagged. The page is self-contained (no network). Only report.html is written; "
        "the grades are only read.",
    )
    parser.add_argument("assignment", help="assignment id, e.g. 00_orientation")
    parser.add_argument(
        "--graded",
        type=Path,
        default=None,
        help="the folder `course grade` wrote (default build/grading/<assignment>)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder to write report.html into (default: the graded folder)",
    )
    parser.set_defaults(func=report_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="course")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["report", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
