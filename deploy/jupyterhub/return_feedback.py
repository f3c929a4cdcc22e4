"""Collect, grade with `course grade` and return feedback through nbgrader's exchange.

    python /path/to/deploy/jupyterhub/return_feedback.py 02_dot_product_attention

Run by the instructor, in the course folder, on the hub (a terminal or a notebook cell
of the instructor's server). Four steps:

1. `nbgrader collect`: the exchange's submissions into submitted/<student>/<assignment>/.
2. `course grade <assignment> submitted`: every submission graded in a sandbox; grades,
   feedback and grades.csv in build/grading/<assignment>/.
3. The feedback pages go where nbgrader's release_feedback reads them,
   feedback/<student>/<assignment>/, each with the timestamp.txt and
   submission_secret.txt of the submission it grades: nbgrader names a student's
   released feedback after a hash of that secret, and `nbgrader generate_feedback`
   (which `course grade` replaces) is what normally puts the two files there.
4. `nbgrader release_feedback`: the pages into the exchange, where each student's
   "Fetch Feedback" finds only their own.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path


def run(*command: str) -> None:
    print("$", " ".join(command), flush=True)
    result = subprocess.run(command)
    if result.returncode != 0:
        sys.exit(f"error: {' '.join(command[2:4])} failed (exit {result.returncode})")


def stage_feedback(course: Path, assignment: str, graded: Path) -> list[str]:
    """Copy each graded student's page and submission files into feedback/."""
    staged = []
    for submission in sorted((course / "submitted").glob(f"*/{assignment}")):
        student = submission.parent.name
        pages = sorted((graded / "feedback" / student / assignment).glob("*.html"))
        if not pages:
            print(f"note: no feedback for {student}: not graded", file=sys.stderr)
            continue
        target = course / "feedback" / student / assignment
        target.mkdir(parents=True, exist_ok=True)
        for page in pages:
            shutil.copy2(page, target / page.name)
        for name in ("timestamp.txt", "submission_secret.txt"):
            shutil.copy2(submission / name, target / name)
        staged.append(student)
    return staged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment")
    parser.add_argument("--course", type=Path, default=Path.cwd())
    parser.add_argument(
        "--grade-args", default="", help="more options for course grade"
    )
    args = parser.parse_args(argv)
    course = args.course.resolve()
    if not (course / "nbgrader_config.py").is_file():
        print(f"error: {course} holds no nbgrader_config.py", file=sys.stderr)
        return 2
    python = sys.executable
    run(python, "-m", "nbgrader", "collect", args.assignment, "--update")
    graded = course / "build" / "grading" / args.assignment
    run(
        python,
        "-m",
        "course_tools.cli",
        "--root",
        str(course),
        "grade",
        args.assignment,
        str(course / "submitted"),
        "--out",
        str(graded),
        "--no-progress",
        *args.grade_args.split(),
    )
    staged = stage_feedback(course, args.assignment, graded)
    print(f"feedback staged for {len(staged)} students: {', '.join(staged)}")
    run(python, "-m", "nbgrader", "release_feedback", args.assignment)
    return 0


if __name__ == "__main__":
    sys.exit(main())
