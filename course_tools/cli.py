"""The `course` command (instructors and contributors).

    course grade 00_orientation downloads/00_orientation   # grade a class (also `make grade`)
    course export --roster roster.csv                      # grades for Canvas, Moodle, a wide CSV
    course report 00_orientation                           # one HTML page on a graded class
    course similar 00_orientation                          # pairs of similar solutions to look at
    course pack                                            # the student bundle (also `make student-pack`)
    course release [lessons...]                            # regenerate notebooks/ (as `make release`)
    course doctor                                          # check the environment (as `make doctor`)

`course grade --help` and `course pack --help` list their options.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _size(text: str) -> int:
    """'4G', '512M', '1.5G' or a number of bytes -> bytes."""
    text = text.strip().upper().removesuffix("B").removesuffix("I")
    units = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def grade_command(args: argparse.Namespace) -> int:
    from course_tools.grading.batch import grade_batch, summary_table
    from course_tools.grading.deadlines import DeadlinesError, load_deadlines
    from course_tools.grading.sandbox import Limits, SandboxUnavailable
    from course_tools.release import course_root

    deadlines = None
    default = course_root() / "deadlines.toml"
    path = args.deadlines or (default if default.is_file() else None)
    if path is not None:
        try:
            deadlines = load_deadlines(path)
        except DeadlinesError as error:
            print(f"course grade: {error}", file=sys.stderr)
            return 2
        if args.assignment not in deadlines.due:
            print(
                f"course grade: {path} gives no due date for {args.assignment}: no late penalty"
            )
        else:
            print(f"course grade: due dates and late penalties from {path}")

    limits = Limits(
        wall=args.wall, cell=args.cell_timeout, cpu=args.cpu, memory=_size(args.memory)
    )
    if args.no_sandbox:
        print(
            "WARNING: --no-sandbox: student code runs WITHOUT isolation. It can read solutions/, the hidden tests\n"
            "         and other submissions, write anywhere this user can, and use the network. The guard against\n"
            "         rebinding test helpers and the CPU and memory limits still apply. Grade only trusted code.",
            file=sys.stderr,
        )
    try:
        rows = grade_batch(
            args.assignment,
            args.submissions,
            args.out,
            workers=args.workers,
            limits=limits,
            sandbox=not args.no_sandbox,
            progress=not args.no_progress,
            deadlines=deadlines,
        )
    except SandboxUnavailable as error:
        print(f"course grade: cannot isolate student code: {error}", file=sys.stderr)
        return 2
    except (FileNotFoundError, ValueError) as error:
        print(f"course grade: {error}", file=sys.stderr)
        return 2
    print(summary_table(rows))
    out = Path(args.out) if args.out else Path("build") / "grading" / args.assignment
    print(f"gradebook, grades.csv, feedback/ and summary.txt are in {out}")
    return 0


def export_command(args: argparse.Namespace) -> int:
    from course_tools.grading.export import ExportError, export_grades
    from course_tools.release import course_root

    graded = args.graded or course_root() / "build" / "grading"
    out = args.out or course_root() / "build" / "export"
    try:
        summary = export_grades(graded, out, args.roster, args.assignments)
    except ExportError as error:
        print(f"course export: {error}", file=sys.stderr)
        return 2
    print(
        f"{summary.students} students, assignments {', '.join(summary.assignments)}: "
        f"canvas.csv, moodle.csv, grades_wide.csv and missing.csv in {summary.folder}"
    )
    if summary.missing:
        print(f"{len(summary.missing)} grade(s) missing (listed in missing.csv):")
        for student, assignment in summary.missing[:20]:
            print(f"  {student}: no grade for {assignment}")
        if len(summary.missing) > 20:
            print(f"  ... and {len(summary.missing) - 20} more")
    if summary.unknown:
        print(
            f"{len(summary.unknown)} graded student(s) not in the roster, not in "
            f"canvas.csv or moodle.csv: {', '.join(summary.unknown)}"
        )
    return 0


def pack_command(args: argparse.Namespace) -> int:
    from course_tools.grading.pack import (
        PackRefused,
        pack,
        released_lessons,
        select_lessons,
    )
    from course_tools.release import course_root

    try:
        lessons = select_lessons(
            [*args.lesson_ids, *(args.lessons or [])], released_lessons(course_root())
        )
        path = pack(args.out, lessons=lessons, archive=not args.no_archive)
    except (PackRefused, ValueError) as error:
        print(f"course pack: {error}", file=sys.stderr)
        return 2
    print(f"student bundle of {', '.join(lessons)} written to {path}")
    return 0


def choose_course(root: Path | None) -> str | None:
    """Work on the course at `root`, or the one the current directory is in, as nbgrader
    does; returns what is wrong instead, before any work is done."""
    from course_tools.release import (
        COURSE_ROOT,
        CourseError,
        check_course,
        find_course,
        use_course,
    )

    found = root.resolve() if root else find_course(Path.cwd())
    if found is None:
        return (
            f"{Path.cwd()} is not in a course folder (one with nbgrader_config.py and "
            f"solutions/): change to the course folder, or pass --root (the installed "
            f"course is {COURSE_ROOT})"
        )
    try:
        check_course(found)
    except CourseError as error:
        return str(error)
    use_course(found)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="course", description="Attention and transformers: course tools."
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        help="the course folder (default: the one holding the current directory, "
        "found by its nbgrader_config.py and solutions/)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser(
        "grade",
        help="grade every submission of an assignment",
        description="Collect, check, autograde (in parallel sandboxes), write feedback, the "
        "gradebook, grades.csv and a summary.",
    )
    grade.add_argument("assignment", help="assignment id, e.g. 00_orientation")
    grade.add_argument(
        "submissions",
        help="folder of submissions: <student>/<assignment>/<notebook>.ipynb, "
        "<student>.ipynb or <student>.zip",
    )
    grade.add_argument(
        "--out", help="output folder (default build/grading/<assignment>)"
    )
    grade.add_argument(
        "--workers",
        type=int,
        default=None,
        help="submissions graded at once (default: CPU cores)",
    )
    grade.add_argument(
        "--wall",
        type=float,
        default=900.0,
        help="wall-time limit per submission, seconds (900)",
    )
    grade.add_argument(
        "--cell-timeout",
        type=int,
        default=120,
        help="time limit per cell, seconds (120)",
    )
    grade.add_argument(
        "--cpu",
        type=int,
        default=600,
        help="CPU-time limit per submission, seconds (600)",
    )
    grade.add_argument(
        "--memory",
        default="4G",
        help="memory limit per submission, on resident memory (4G)",
    )
    grade.add_argument(
        "--no-sandbox",
        action="store_true",
        help="grade without bubblewrap isolation (refused by default where bwrap is missing)",
    )
    grade.add_argument(
        "--deadlines",
        type=Path,
        default=None,
        help="due dates, extensions and late penalties (TOML; default: deadlines.toml "
        "in the course folder when there is one; format in "
        "course_tools/grading/deadlines.py)",
    )
    grade.add_argument("--no-progress", action="store_true", help="no progress bar")
    grade.set_defaults(func=grade_command)

    export = commands.add_parser(
        "export",
        help="write the grades for Canvas, Moodle and a wide CSV",
        description="Read the gradebook of every assignment graded under --graded and "
        "write canvas.csv (Canvas's gradebook import), moodle.csv (Moodle's CSV grade "
        "import), grades_wide.csv (every test's points) and missing.csv. Scores are after "
        "late penalties. Format of the roster: course_tools/grading/export.py.",
    )
    export.add_argument(
        "--roster",
        type=Path,
        default=None,
        help="CSV with a 'student' column and the platform's ids (name, canvas_id, "
        "sis_user_id, sis_login_id, section, email, id_number, username)",
    )
    export.add_argument(
        "--graded",
        type=Path,
        default=None,
        help="folder of `course grade` outputs, one per assignment (build/grading)",
    )
    export.add_argument(
        "--out", type=Path, default=None, help="(build/export in the course folder)"
    )
    export.add_argument(
        "assignments", nargs="*", help="assignment ids (default: every one graded)"
    )
    export.set_defaults(func=export_command)

    from course_tools.grading import report, similarity

    report.add_parser(commands)
    similarity.add_parser(commands)

    pack_parser = commands.add_parser(
        "pack",
        help="build the student bundle of some lessons (no solutions, no hidden tests, "
        "no answer to those lessons)",
        description="Build the folder (and zip) students download for some lessons: their "
        "released notebooks and course_utils with the reference answers of the lessons "
        "before the first of them only. A lesson that builds on the answers of another "
        "lesson in the same pack is refused: pack it once that lesson is past its deadline.",
    )
    pack_parser.add_argument(
        "--out", default=None, help="bundle folder (default build/student-pack)"
    )
    pack_parser.add_argument(
        "--no-archive",
        action="store_true",
        help="do not also write a .zip of the bundle",
    )
    pack_parser.add_argument(
        "--lessons",
        action="append",
        metavar="SPEC",
        help="the lessons: ids, numbers or ranges, e.g. 05-07 or 03,05 (repeatable)",
    )
    pack_parser.add_argument(
        "lesson_ids", nargs="*", metavar="LESSON", help="lesson ids, as --lessons"
    )
    pack_parser.set_defaults(func=pack_command)

    release = commands.add_parser(
        "release",
        help="regenerate notebooks/ from solutions/ (python -m course_tools.release)",
        add_help=False,
    )
    release.set_defaults(func=None, module="course_tools.release")
    doctor = commands.add_parser(
        "doctor",
        help="check the environment (python -m course_utils.doctor)",
        add_help=False,
    )
    doctor.set_defaults(func=None, module="course_utils.doctor")

    args, rest = parser.parse_known_args(argv)
    if args.command != "doctor":
        problem = choose_course(args.root)
        if problem:
            print(f"course {args.command}: {problem}", file=sys.stderr)
            return 2
    if args.func is None:
        import importlib

        return int(importlib.import_module(args.module).main(rest) or 0)
    if rest:
        parser.error(f"unrecognised arguments: {' '.join(rest)}")
    return args.func(args)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
