"""`course grade` on one batch of hostile, broken and honest submissions (tests/hostile/).

Every cheat earns nothing for what it cheated, every honest submission gets its exact
score, every case reports what it should, and the batch finishes. Then: the originals are
untouched, a second run does no work, an interrupted run resumes, and the gradebook, the
CSV and the summary agree. Needs bubblewrap (`apt-get install bubblewrap`).
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import re
import tempfile
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from conftest import record_time, require_sandbox
from roundtrip import grade_id, student_notebook

from course_tools.grading.batch import grade_batch, summary_table
from course_tools.grading.sandbox import Limits

LESSON = "00_orientation"
HOSTILE = Path(__file__).resolve().parent / "hostile"
# The sandboxed kernel imports torch before it answers; alone, no cell of lesson 00 takes
# 1.5 s, and 10 s a cell leaves room for a loaded machine. The two endless loops of the
# corpus wait for it (the one that ignores the interrupt waits twice, asleep, so that the
# rest of the batch keeps the core). The CPU-time limit stays well above it, so that the
# spinning loop meets the time limit per cell (and is reported as such) before the CPU
# limit kills it. An honest kernel of lesson 00 holds about 210 MiB (300 MiB counted by
# polling, which also counts shared libraries); 1 GiB leaves room for that, and the creeping
# case reaches it after writing about 0.8 GiB (0.6 s on an idle machine), so the memory
# limit stops it long before the time limit per cell, even on a loaded machine (at 3 GiB,
# 2 s idle, the time limit came first once under the full suite).
LIMITS = Limits(wall=300, cell=10, cpu=150, memory=2**30)


@pytest.fixture(autouse=True, scope="module")
def _sandbox():
    """The whole module needs the sandbox: skipped without it, failed under CI."""
    require_sandbox()


def parse_case(path: Path) -> dict:
    """Header and sections of one tests/hostile/<name>.py file (format in tests/hostile/README.md)."""
    lines = path.read_text().split("\n")
    case = {
        "name": path.stem,
        "problems": [],
        "base": "solved",
        "format": "notebook",
        "transform": None,
        "sections": [],
    }
    index = 0
    while index < len(lines) and re.match(r"^# [a-z-]+: ", lines[index]):
        key, value = lines[index][2:].split(": ", 1)
        if key == "problem":
            case["problems"].append(value.strip())
        elif key == "expect":
            case["expect"] = float(value)
        else:
            case[key] = value.strip()
        index += 1
    body = "\n".join(lines[index:])
    case["body"] = body
    current = None
    for line in lines[index:]:
        match = re.match(
            r"^# --- (replaces|insert-before|append)(?:: (\S+))?\s*$", line
        )
        if match:
            current = {"action": match.group(1), "target": match.group(2), "source": []}
            case["sections"].append(current)
        elif current is not None:
            current["source"].append(line)
    for section in case["sections"]:
        section["source"] = "\n".join(section["source"]).strip("\n")
    assert "expect" in case, f"{path.name}: no '# expect:' line"
    return case


CASES = [parse_case(p) for p in sorted(HOSTILE.glob("*.py"))]


def tamper_tests(notebook):
    tests = [
        c
        for c in notebook.cells
        if c.get("metadata", {}).get("nbgrader", {}).get("grade")
        and not c.metadata.nbgrader.get("solution")
    ]
    for cell in tests:
        cell.source = "pass"
        cell.metadata.nbgrader["points"] = 50
    tests[1].cell_type = "markdown"
    tests[1].pop("outputs", None)
    tests[1].pop("execution_count", None)
    notebook.cells.remove(tests[2])
    return notebook


def duplicate_ids(notebook):
    solution = next(c for c in notebook.cells if grade_id(c) == "softmax")
    test = next(c for c in notebook.cells if grade_id(c) == "test_softmax_large_values")
    copy_solution = copy.deepcopy(solution)
    copy_solution.source = "pass"
    copy_test = copy.deepcopy(test)
    copy_test.source = "print('a copy of a test cell')"
    notebook.cells.insert(notebook.cells.index(solution) + 1, copy_solution)
    notebook.cells.append(copy_test)
    return notebook


TRANSFORMS = {"tamper_tests": tamper_tests, "duplicate_ids": duplicate_ids}


def build_notebook(case: dict):
    notebook = student_notebook(LESSON, solved=case["base"] == "solved")
    for section in case["sections"]:
        if section["action"] == "replaces":
            cell = next(c for c in notebook.cells if grade_id(c) == section["target"])
            cell.source = section["source"]
        elif section["action"] == "insert-before":
            cell = next(c for c in notebook.cells if grade_id(c) == section["target"])
            notebook.cells.insert(
                notebook.cells.index(cell), nbformat.v4.new_code_cell(section["source"])
            )
        else:
            notebook.cells.append(nbformat.v4.new_code_cell(section["source"]))
    if case["transform"]:
        notebook = TRANSFORMS[case["transform"]](notebook)
    return notebook


def write_submission(case: dict, folder: Path) -> None:
    name, kind = case["name"], case["format"]
    if kind == "raw":
        (folder / f"{name}.ipynb").write_text(case["body"].lstrip("\n"))
    elif kind == "raw-zip":
        (folder / f"{name}.zip").write_text(case["body"].lstrip("\n"))
    elif kind == "binary":
        (folder / f"{name}.ipynb").write_bytes(
            b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
        )
    elif kind == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(
                f"{name}/{LESSON}.ipynb", nbformat.writes(build_notebook(case))
            )
            archive.writestr("__MACOSX/._x.ipynb", "resource fork")
        (folder / f"{name}.zip").write_bytes(buffer.getvalue())
    elif kind == "nbgrader":
        target = folder / name / LESSON / f"{LESSON}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(build_notebook(case), str(target))
    else:
        nbformat.write(build_notebook(case), str(folder / f"{name}.ipynb"))


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    for case in CASES:
        write_submission(case, folder)
    before = tree_digest(folder)
    out = tmp_path_factory.mktemp("graded")
    start = time.perf_counter()
    rows = grade_batch(LESSON, folder, out, workers=2, limits=LIMITS, progress=False)
    seconds = time.perf_counter() - start
    record_time(LESSON, f"course grade x{len(CASES)}", seconds)
    return {
        "folder": folder,
        "out": out,
        "rows": {r.student: r for r in rows},
        "before": before,
        "seconds": seconds,
    }


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_each_submission_gets_its_expected_score(batch, case):
    row = batch["rows"][case["name"]]
    assert row.auto_max == 6, (
        f"{case['name']}: the maximum changed to {row.auto_max}: {row.problems}"
    )
    assert row.auto_score == case["expect"], (
        f"{case['name']} ({case['attack']}): scored {row.auto_score}/6, "
        f"expected {case['expect']:g}; problems: {row.problems}"
    )


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c["problems"]],
    ids=[c["name"] for c in CASES if c["problems"]],
)
def test_each_problem_is_reported(batch, case):
    reported = " | ".join(batch["rows"][case["name"]].problems)
    missing = [p for p in case["problems"] if p not in reported]
    assert not missing, f"{case['name']}: {missing} not reported; reported: {reported}"


def test_honest_submissions_report_no_problem(batch):
    noisy = {
        c["name"]: batch["rows"][c["name"]].problems
        for c in CASES
        if c["name"].startswith("honest_") and batch["rows"][c["name"]].problems
    }
    assert not noisy


def test_the_sandbox_hid_instructor_files_and_the_network(batch):
    out = batch["out"]
    notebook = nbformat.read(
        str(out / "autograded" / "read_instructor_files" / LESSON / f"{LESSON}.ipynb"),
        as_version=4,
    )
    text = "".join(
        o.get("text", "")
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    )
    assert "instructor files seen: []" in text, text[:2000]
    assert "READ SECRET" not in text, text[:2000]
    assert "NETWORK REACHED" not in text, text[:2000]
    wrote = [line for line in text.split("\n") if line.startswith("wrote ")]
    assert wrote == ["wrote /tmp/PWNED"], (
        wrote
    )  # its own private /tmp, gone with the sandbox
    assert (
        not Path("/work/PWNED").exists()
        and not list(out.rglob("PWNED"))
        and not Path("/root/PWNED").exists()
    )
    assert not (Path(tempfile.gettempdir()) / "PWNED").exists()


def test_originals_are_not_modified(batch):
    assert tree_digest(batch["folder"]) == batch["before"]


def test_gradebook_csv_and_summary_agree(batch):
    from nbgrader.api import Gradebook

    out = batch["out"]
    with open(out / "grades.csv") as handle:
        table = {row["student"]: row for row in csv.DictReader(handle)}
    assert set(table) == {c["name"] for c in CASES}
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gradebook:
        for student, row in table.items():
            submission = gradebook.find_submission_notebook(LESSON, LESSON, student)
            auto = sum(g.score for g in submission.grades if g.cell.cell_type == "code")
            assert (
                float(row["autograded_score"])
                == auto
                == batch["rows"][student].auto_score
            )
            assert float(row["score"]) == submission.score
    summary = (out / "summary.txt").read_text()
    assert summary.strip() == summary_table(list(batch["rows"].values())).strip()
    for case in CASES:
        assert (out / "results" / f"{case['name']}.json").exists()
        if case["format"] not in {"raw", "raw-zip", "binary"}:
            assert (
                out / "feedback" / case["name"] / LESSON / f"{LESSON}.html"
            ).exists()


def test_a_second_run_does_no_work_and_an_interrupted_run_resumes(batch):
    out = batch["out"]
    stamps = {p.name: p.stat().st_mtime_ns for p in (out / "results").glob("*.json")}
    (
        out / "results" / "honest_partial.json"
    ).unlink()  # as if the run had stopped before it
    start = time.perf_counter()
    rows = {
        r.student: r
        for r in grade_batch(
            LESSON, batch["folder"], out, workers=2, limits=LIMITS, progress=False
        )
    }
    record_time(LESSON, "course grade, resume x1", time.perf_counter() - start)
    after = {p.name: p.stat().st_mtime_ns for p in (out / "results").glob("*.json")}
    regraded = sorted(name for name in after if after[name] != stamps.get(name))
    assert regraded == ["honest_partial.json"]
    assert {s: (r.auto_score, r.problems) for s, r in rows.items()} == {
        s: (r.auto_score, r.problems) for s, r in batch["rows"].items()
    }
    assert tree_digest(batch["folder"]) == batch["before"]
    record = json.loads((out / "results" / "honest_partial.json").read_text())
    assert record["origin"].endswith("honest_partial.ipynb")


def test_late_penalties_follow_the_current_rule_without_regrading(batch, tmp_path):
    """A deadlines file changes grades.csv and the gradebook at the next run, and a changed
    rule replaces the old penalty; no submission is graded again for it."""
    from nbgrader.api import Gradebook

    from course_tools.grading.deadlines import parse_deadlines

    out = batch["out"]
    stamps = {p.name: p.stat().st_mtime_ns for p in (out / "results").glob("*.json")}
    # Every file of the batch was written minutes ago: due a day earlier, each is 1 day late.
    due = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 86400 + 600))

    def graded_with(percent: int) -> dict:
        deadlines = parse_deadlines(
            f"[penalty]\npercent_per_day = {percent}\n"
            f"[assignments.{LESSON}]\ndue = {due}\n"
        )
        rows = grade_batch(
            LESSON,
            batch["folder"],
            out,
            workers=2,
            limits=LIMITS,
            progress=False,
            deadlines=deadlines,
        )
        return {r.student: r for r in rows}

    for percent in (50, 10):
        rows = graded_with(percent)
        honest = rows["honest_solution"]
        raw = batch["rows"]["honest_solution"].score
        assert (honest.days_late, honest.time_source) == (1, "file")
        assert honest.penalty == pytest.approx(raw * percent / 100)
        assert honest.score == pytest.approx(raw * (1 - percent / 100))
        with open(out / "grades.csv", newline="") as handle:
            line = next(
                r for r in csv.DictReader(handle) if r["student"] == "honest_solution"
            )
        assert float(line["late_penalty"]) == pytest.approx(raw * percent / 100)
        assert float(line["score"]) == pytest.approx(honest.score)
        with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gradebook:
            stored = gradebook.find_submission(LESSON, "honest_solution")
            assert stored.late_submission_penalty == pytest.approx(honest.penalty)
    after = {p.name: p.stat().st_mtime_ns for p in (out / "results").glob("*.json")}
    assert after == stamps, "a deadline change regraded submissions"
    assert tree_digest(batch["folder"]) == batch["before"]
