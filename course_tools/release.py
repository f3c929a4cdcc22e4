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
import threading
from pathlib import Path

# The course this package was installed from.
COURSE_ROOT = Path(__file__).resolve().parent.parent
_active_course: Path | None = None


class CourseError(RuntimeError):
    """No course where a command runs, or one the installed package cannot grade."""


def course_root() -> Path:
    """The course the `course` command works on (use_course), else COURSE_ROOT."""
    return _active_course or COURSE_ROOT


def use_course(root: Path) -> None:
    global _active_course
    _active_course = Path(root).resolve()


def find_course(start: Path) -> Path | None:
    """The nearest folder at or above `start` with nbgrader_config.py and solutions/."""
    for folder in [start.resolve(), *start.resolve().parents]:
        if (folder / "nbgrader_config.py").is_file() and (
            folder / "solutions"
        ).is_dir():
            return folder
    return None


def check_course(root: Path) -> None:
    """Stop before any work when the installed package cannot serve the course at `root`.

    Student kernels import the installed course_utils: a course folder that carries a
    different course_utils would be graded with code it does not contain.
    """
    import course_utils
    from course_tools.grading.batch import files_digest

    if not (root / "nbgrader_config.py").is_file() or not (root / "solutions").is_dir():
        raise CourseError(
            f"{root} is not a course folder (it needs nbgrader_config.py and solutions/)"
        )
    installed = Path(course_utils.__file__).resolve().parent
    here = root / "course_utils"
    if here.is_dir() and here.resolve() != installed:
        if files_digest(here, pattern="*.py") != files_digest(
            installed, pattern="*.py"
        ):
            raise CourseError(
                f"the course at {root} has its own course_utils, which differs from the "
                f"installed one ({installed}) that student kernels would import. Install "
                f"this course into the environment (`pip install -e {root}`, or "
                f"`make setup` there), or run the command in {installed.parent}."
            )


def lesson_ids(root: Path | None = None) -> list[str]:
    """Assignment ids: folders of solutions/ that hold a notebook of the same name."""
    root = root or course_root()
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


# nbgrader's converters change the working directory while they run: one in-process call
# at a time (a thread that calls nbgrader_api's methods holds this lock).
NBGRADER_API_LOCK = threading.RLock()


def nbgrader_api(
    root: Path, db_url: str, config_file: Path | None = None, **course_directory: str
):
    """nbgrader's Python API on a course folder `root`, configured by `config_file` (the
    course's nbgrader_config.py unless told).

    In-process: no interpreter start and no nbgrader import per command. Not thread-safe
    (nbgrader changes the working directory while it converts): call its methods from one
    thread, or hold NBGRADER_API_LOCK.
    """
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    os.environ["PATH"] = nbgrader_env()["PATH"]  # nbgrader runs `alembic` from PATH
    new_gradebooks_ask_alembic_in_process()
    config_file = Path(config_file or course_root() / "nbgrader_config.py")
    config = Config()
    config.merge(
        PyFileConfigLoader(config_file.name, path=str(config_file.parent)).load_config()
    )
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.db_url = db_url
    for name, value in course_directory.items():
        setattr(config.CourseDirectory, name, value)
    return NbGraderAPI(config=config)


def alembic_head() -> str:
    """The database revision nbgrader stamps on a new gradebook, read with alembic's API
    from nbgrader's migration scripts."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    config = Config()
    config.set_main_option("script_location", ALEMBIC_DIR)
    return ScriptDirectory.from_config(config).get_current_head()


_NBGRADER_ALEMBIC_VERSION = None  # nbgrader's own reader, kept when it is replaced


def new_gradebooks_ask_alembic_in_process() -> None:
    """nbgrader 0.9 reads that revision for each new gradebook from an `alembic heads`
    subprocess, which imports nbgrader again: about 5 s on two cores. alembic_head gives
    the same answer in this process (tests/test_grading.py compares the two)."""
    global _NBGRADER_ALEMBIC_VERSION
    import nbgrader.api

    if nbgrader.api.get_alembic_version is not alembic_head:
        _NBGRADER_ALEMBIC_VERSION = nbgrader.api.get_alembic_version
        nbgrader.api.get_alembic_version = alembic_head


def nbgrader_alembic_version() -> str:
    """The revision as nbgrader itself reads it (its `alembic heads` subprocess)."""
    import nbgrader.api

    return (_NBGRADER_ALEMBIC_VERSION or nbgrader.api.get_alembic_version)()


def checked(outcome: dict, what: str) -> dict:
    """An NbGraderAPI result, or an error carrying nbgrader's own log when it failed."""
    if not outcome.get("success"):
        raise RuntimeError(
            f"nbgrader {what} failed:\n{outcome.get('log', '')}\n{outcome.get('error', '')}"
        )
    return outcome


def release(
    ids: list[str] | None = None,
    root: Path | None = None,
    release_dir: Path | None = None,
) -> list[Path]:
    """Generate the release of each lesson; returns the released notebooks."""
    root = root or course_root()
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
        print(f"released {path.relative_to(course_root())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
