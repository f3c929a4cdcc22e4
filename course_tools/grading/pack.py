"""The student bundle: what students download (instructors; `course pack`, `make student-pack`).

    build/student-pack/
        README.md            how to install and work through the course
        notebooks/<id>/      the released notebooks (no solutions, no hidden tests)
        course_utils/        the helpers every notebook imports
        pyproject.toml, requirements.lock, requirements.in, environment.yml, Makefile
    build/student-pack.zip   the same, as one archive

The bundle is checked before it is written: no file of solutions/ (nor a copy of one), no
solution region and no hidden test line in any file. `leaks()` is the check; `pack()`
refuses to finish when it finds anything.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import nbformat

from course_tools.release import course_root

ENVIRONMENT_FILES = (
    "pyproject.toml",
    "requirements.lock",
    "requirements.in",
    "environment.yml",
    "Makefile",
)
IGNORED = shutil.ignore_patterns(
    "__pycache__", "*.pyc", ".ipynb_checkpoints", "*.db", ".DS_Store"
)
MARKERS = re.compile(r"###\s*(BEGIN|END)\s+(SOLUTION|HIDDEN TESTS)")

STUDENT_README = """# Attention and Transformers, hands-on: student edition

One Jupyter notebook per lesson in `notebooks/<lesson>/`, from a numerically stable
softmax to a pretrained transformer, today's recipe and the induction heads of a model you
train. Work through them in order.

## Set up (once)

You need Python 3.10 or newer. In this folder, run

    make lab

It creates a virtual environment in `.venv/`, installs the pinned packages from
`requirements.lock` and this course's helpers (`course_utils`), checks your environment,
and opens JupyterLab on the first lesson. With conda instead:

    conda env create -f environment.yml && conda activate attention-course
    pip install --no-deps -e .
    jupyter lab notebooks/00_orientation/00_orientation.ipynb

`make doctor` (or `python -m course_utils.doctor`) says what is missing and how to fix it.

## Working on a lesson

- Run the cells from the top. Write your code where a cell says `# YOUR CODE HERE`, and
  remove the `raise NotImplementedError()` line.
- The cells under each exercise are its tests: run them. A failure says what is likely wrong.
  Your instructor grades with more tests of the same behaviours, so make your function correct
  in general, not only on the visible examples.
- Answer the written questions in the cells that say `YOUR ANSWER HERE`.
- Do not change the test cells or the read-only cells: they are put back when your work is graded.
- Before handing in, restart the kernel and run all cells (Kernel > Restart Kernel and Run All Cells).

## Handing in

Hand in the notebook file itself (`notebooks/<lesson>/<lesson>.ipynb`), as your instructor asks.
"""


def solution_secrets(root: Path | None = None) -> tuple[set[str], set[str]]:
    """(solution lines, hidden-test lines) of every lesson in solutions/: the text that must not reach students.

    A line counts when it is telling (12 characters or more, stripped, not a comment) and is
    not also public: outside the solution and hidden-test regions of any lesson, or in
    course_utils (the shared helpers are public by design).
    """
    root = root or course_root()
    public: set[str] = set()
    regions: list[tuple[str, str]] = []
    for path in sorted((root / "solutions").glob("*/*.ipynb")):
        notebook = nbformat.read(str(path), as_version=4)
        for cell in notebook.cells:
            region = None
            for line in cell.source.split("\n"):
                marker = MARKERS.search(line)
                if marker:
                    region = marker.group(2) if marker.group(1) == "BEGIN" else None
                    continue
                text = line.strip()
                if region:
                    regions.append((region, text))
                else:
                    public.add(text)
    for path in (root / "course_utils").rglob("*.py"):
        public.update(
            line.strip() for line in path.read_text(errors="replace").split("\n")
        )
    solution_lines: set[str] = set()
    hidden_lines: set[str] = set()
    for region, text in regions:
        # A line that opens or closes brackets (`x = random_tensor(`, `).backward()`) is a
        # fragment of formatted code, not something that gives a solution away.
        fragment = text.endswith(("(", "[", "{")) or text.startswith((")", "]", "}"))
        if (
            len(text) >= 12
            and text not in public
            and not text.startswith("#")
            and not fragment
        ):
            (solution_lines if region == "SOLUTION" else hidden_lines).add(text)
    return solution_lines, hidden_lines


def without_instructor_tools(pyproject: str) -> str:
    """The course's pyproject.toml as the student pack needs it: no `course_tools` package and
    no `course` command (both are the instructor's and not in the pack)."""
    kept, skipping = [], False
    for line in pyproject.splitlines(keepends=True):
        if line.startswith("["):
            skipping = line.strip() == "[project.scripts]"
        if not skipping:
            kept.append(line.replace(', "course_tools*"', ""))
    return "".join(kept)


def leaks(bundle: Path, root: Path | None = None) -> list[str]:
    """Everything of solutions/ found in `bundle`: copies of its files, markers, solution or hidden-test lines."""
    root = root or course_root()
    found = []
    solution_files = {
        p.read_bytes() for p in (root / "solutions").rglob("*") if p.is_file()
    }
    solution_lines, hidden_lines = solution_secrets(root)
    for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
        relative = path.relative_to(bundle)
        if "solutions" in relative.parts:
            found.append(f"{relative}: a solutions/ folder")
        data = path.read_bytes()
        if data in solution_files:
            found.append(f"{relative}: a copy of a file of solutions/")
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if path.suffix == ".ipynb":
            notebook = nbformat.reads(text, as_version=4)
            lines = [
                line.strip()
                for cell in notebook.cells
                for line in cell.source.split("\n")
            ]
            for line in lines:
                if MARKERS.search(line):
                    found.append(f"{relative}: a solution or hidden-test marker")
                    break
            for line in sorted(set(lines) & (solution_lines | hidden_lines)):
                found.append(
                    f"{relative}: {'solution' if line in solution_lines else 'hidden test'} line {line!r}"
                )
        else:
            stripped = {line.strip() for line in text.split("\n")}
            for line in sorted(stripped & (solution_lines | hidden_lines)):
                found.append(
                    f"{relative}: {'solution' if line in solution_lines else 'hidden test'} line {line!r}"
                )
    return found


def pack(
    out: Path | str | None = None,
    *,
    lessons: list[str] | None = None,
    root: Path | None = None,
    archive: bool = True,
) -> Path:
    """Build the student bundle in `out` (default build/student-pack) and, unless archive=False, a zip of it."""
    root = Path(root or course_root())
    out = Path(out) if out else root / "build" / "student-pack"
    released = sorted(
        p.name
        for p in (root / "notebooks").iterdir()
        if (p / f"{p.name}.ipynb").exists()
    )
    lessons = lessons or released
    missing = [lesson for lesson in lessons if lesson not in released]
    if missing:
        raise ValueError(
            f"no released notebook for {missing}: run `make release` first"
        )
    with tempfile.TemporaryDirectory(
        prefix="student-pack-", dir=out.parent if out.parent.exists() else None
    ) as scratch:
        bundle = Path(scratch) / "bundle"
        bundle.mkdir()
        for lesson in lessons:
            shutil.copytree(
                root / "notebooks" / lesson,
                bundle / "notebooks" / lesson,
                ignore=IGNORED,
            )
        shutil.copytree(root / "course_utils", bundle / "course_utils", ignore=IGNORED)
        for name in ENVIRONMENT_FILES:
            if (root / name).exists():
                shutil.copy(root / name, bundle / name)
        (bundle / "README.md").write_text(STUDENT_README)
        pyproject = bundle / "pyproject.toml"
        if pyproject.exists():
            pyproject.write_text(without_instructor_tools(pyproject.read_text()))
        problems = leaks(bundle, root)
        if problems:
            raise RuntimeError(
                "the student bundle would leak solutions:\n  "
                + "\n  ".join(problems[:20])
            )
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(bundle), str(out))
    if archive:
        target = out.with_suffix(".zip")
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as handle:
            for path in sorted(p for p in out.rglob("*") if p.is_file()):
                handle.write(path, Path(out.name) / path.relative_to(out))
    return out
