"""Grade the same 40 submissions of a lesson twice and compare: plain sequential
`nbgrader autograde` against `course grade` (parallel, sandboxed, with feedback and CSV).

    .venv/bin/python benchmarks/grading_benchmark.py                 # 40 submissions of 00_orientation
    .venv/bin/python benchmarks/grading_benchmark.py --count 10 --workers 2

The submissions cycle through the model solution, the untouched release and every
catalogued mistake of the lesson (tests/mistakes/<lesson>/). Both runs must give every
student the same autograded score; the script says so, prints the throughput of each
(submissions per minute) and the speed-up ratio, and writes them to
benchmarks/results/grading.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import nbformat  # noqa: E402
from roundtrip import load_mistakes, student_notebook  # noqa: E402

from course_tools.grading.batch import grade_batch  # noqa: E402
from course_tools.grading.sandbox import Limits  # noqa: E402
from course_tools.release import run_nbgrader  # noqa: E402


def submissions(lesson: str, count: int) -> dict[str, object]:
    kinds = [
        ("solution", student_notebook(lesson)),
        ("untouched", student_notebook(lesson, solved=False)),
    ]
    kinds += [
        (f"mistake-{m.name}", student_notebook(lesson, {m.replaces: m.source}))
        for m in load_mistakes(lesson)
    ]
    return {
        f"s{index:03d}-{kinds[index % len(kinds)][0]}": kinds[index % len(kinds)][1]
        for index in range(count)
    }


def plain_nbgrader(
    lesson: str, notebooks: dict[str, object], folder: Path
) -> tuple[float, float, dict[str, float]]:
    """Sequential `nbgrader autograde` of every submission in one course copy; (autograde s, feedback s, scores)."""
    from nbgrader.api import Gradebook

    shutil.copy(ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    shutil.copytree(ROOT / "solutions" / lesson, folder / "solutions" / lesson)
    for student, notebook in notebooks.items():
        target = folder / "submitted" / student / lesson / f"{lesson}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(notebook, str(target))
    db_url = f"sqlite:///{folder / 'gradebook.db'}"
    root = f"--CourseDirectory.root={folder}"
    run_nbgrader(
        [
            "generate_assignment",
            lesson,
            "--force",
            root,
            "--CourseDirectory.release_directory=release",
        ],
        cwd=folder,
        db_url=db_url,
    )
    start = time.perf_counter()
    run_nbgrader(["autograde", lesson, "--force", root], cwd=folder, db_url=db_url)
    autograde = time.perf_counter() - start
    start = time.perf_counter()
    run_nbgrader(
        ["generate_feedback", lesson, "--force", root], cwd=folder, db_url=db_url
    )
    feedback = time.perf_counter() - start
    scores = {}
    with Gradebook(db_url) as gradebook:
        for student in notebooks:
            notebook = gradebook.find_submission_notebook(lesson, lesson, student)
            scores[student] = float(
                sum(g.score for g in notebook.grades if g.cell.cell_type == "code")
            )
    return autograde, feedback, scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesson", default="00_orientation")
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="course grade workers (default: CPU cores)",
    )
    parser.add_argument(
        "--skip-plain", action="store_true", help="time only `course grade`"
    )
    args = parser.parse_args(argv)
    workers = args.workers or os.cpu_count() or 1
    notebooks = submissions(args.lesson, args.count)
    report: dict[str, object] = {
        "lesson": args.lesson,
        "submissions": args.count,
        "workers": workers,
        "cores": os.cpu_count(),
        "load_average_at_start": os.getloadavg()[0],
    }
    with tempfile.TemporaryDirectory(prefix="grading-benchmark-") as scratch:
        scratch = Path(scratch)
        if not args.skip_plain:
            (scratch / "plain").mkdir()
            autograde, feedback, plain_scores = plain_nbgrader(
                args.lesson, notebooks, scratch / "plain"
            )
            report.update(
                plain_autograde_s=round(autograde, 1),
                plain_feedback_s=round(feedback, 1),
            )
            print(
                f"nbgrader autograde, sequential: {autograde:.1f} s ({60 * args.count / autograde:.1f} submissions/min); "
                f"generate_feedback {feedback:.1f} s more",
                flush=True,
            )
        folder = scratch / "submissions"
        folder.mkdir()
        for student, notebook in notebooks.items():
            nbformat.write(notebook, str(folder / f"{student}.ipynb"))
        start = time.perf_counter()
        rows = grade_batch(
            args.lesson,
            folder,
            scratch / "graded",
            workers=workers,
            limits=Limits(),
            progress=True,
        )
        ours = time.perf_counter() - start
        ours_scores = {row.student: row.auto_score for row in rows}
        report.update(
            course_grade_s=round(ours, 1),
            course_grade_per_min=round(60 * args.count / ours, 1),
            load_average_at_end=os.getloadavg()[0],
        )
        print(
            f"course grade, {workers} workers, sandboxed, with feedback and CSV: {ours:.1f} s "
            f"({60 * args.count / ours:.1f} submissions/min)"
        )
        if not args.skip_plain:
            same = plain_scores == ours_scores
            differ = {
                s: (plain_scores[s], ours_scores.get(s))
                for s in plain_scores
                if plain_scores[s] != ours_scores.get(s)
            }
            report.update(
                plain_per_min=round(60 * args.count / autograde, 1),
                same_scores=same,
                speedup_vs_autograde=round(autograde / ours, 2),
                speedup_vs_autograde_and_feedback=round(
                    (autograde + feedback) / ours, 2
                ),
            )
            print(
                f"scores identical to the sequential nbgrader run: {same}"
                + (f" (differ: {differ})" if differ else "")
            )
            print(
                f"speed-up: {autograde / ours:.2f}x against autograde alone, "
                f"{(autograde + feedback) / ours:.2f}x against autograde + generate_feedback"
            )
    out = ROOT / "benchmarks" / "results" / "grading.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
