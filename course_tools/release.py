"""Regenerate the student release, notebooks/<id>/, from solutions/<id>/ with nbgrader.

    python -m course_tools.release            # every lesson (also `make release`)
    python -m course_tools.release 02_dot_product_attention

nbgrader's generate_assignment strips the solutions and hidden tests. It keeps its
gradebook in a throwaway database here: the release needs none, and instructors keep
their own gradebook for grading.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

COURSE_ROOT = Path(__file__).resolve().parent.parent


def lesson_ids(root: Path = COURSE_ROOT) -> list[str]:
    """Assignment ids: folders of solutions/ that hold a notebook of the same name."""
    return sorted(
        p.parent.name
        for p in (root / "solutions").glob("*/*.ipynb")
        if p.stem == p.parent.name
    )


def nbgrader_env() -> dict[str, str]:
    """The environment for an nbgrader subprocess: this Python's bin first on PATH (nbgrader calls alembic)."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def run_nbgrader(
    args: list[str],
    cwd: Path,
    db_url: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """Run `nbgrader ARGS` in `cwd`; raises with nbgrader's own output when it fails."""
    command = [sys.executable, "-m", "nbgrader", *args]
    if db_url:
        command.append(f"--CourseDirectory.db_url={db_url}")
    env = {**nbgrader_env(), **(extra_env or {})}
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(
            f"`nbgrader {' '.join(args)}` failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result


def nbgrader_api(root: Path, db_url: str, **course_directory: str):
    """nbgrader's Python API on the course's nbgrader_config.py, for a course folder `root`.

    In-process: no interpreter start and no nbgrader import per command. Not thread-safe
    (nbgrader changes the working directory while it converts), so call it from one thread.
    """
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    os.environ["PATH"] = nbgrader_env()["PATH"]  # nbgrader runs `alembic` from PATH
    config = Config()
    config.merge(
        PyFileConfigLoader("nbgrader_config.py", path=str(COURSE_ROOT)).load_config()
    )
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.db_url = db_url
    for name, value in course_directory.items():
        setattr(config.CourseDirectory, name, value)
    return NbGraderAPI(config=config)


def checked(outcome: dict, what: str) -> dict:
    """An NbGraderAPI result, or an error carrying nbgrader's own log when it failed."""
    if not outcome.get("success"):
        raise RuntimeError(
            f"nbgrader {what} failed:\n{outcome.get('log', '')}\n{outcome.get('error', '')}"
        )
    return outcome


def release(
    ids: list[str] | None = None,
    root: Path = COURSE_ROOT,
    release_dir: Path | None = None,
) -> list[Path]:
    """Generate the release of each lesson; returns the released notebooks."""
    ids = ids or lesson_ids(root)
    known = lesson_ids(root)
    missing = [i for i in ids if i not in known]
    if missing:
        raise ValueError(
            f"no lesson {missing} in {root / 'solutions'}; lessons there: {known}"
        )
    release_dir = Path(release_dir or root / "notebooks")
    written = []
    with tempfile.TemporaryDirectory() as scratch:
        api = nbgrader_api(
            root,
            f"sqlite:///{Path(scratch) / 'gradebook.db'}",
            release_directory=str(release_dir),
        )
        for lesson in ids:
            checked(
                api.generate_assignment(lesson, force=True, create=True),
                f"generate_assignment {lesson}",
            )
            written.append(release_dir / lesson / f"{lesson}.ipynb")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.release", description=__doc__.splitlines()[0]
    )
    parser.add_argument("lessons", nargs="*", help="lesson ids (default: all)")
    args = parser.parse_args(argv)
    for path in release(args.lessons or None):
        print(f"released {path.relative_to(COURSE_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
