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

from course_tools.grading import answers
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
LAYER_DECLARATION = re.compile(r"self\.\w+ = nn\.\w+\([^()]*\)$")
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


def solution_secrets(
    root: Path | None = None, lessons: list[str] | None = None
) -> tuple[set[str], set[str]]:
    """(solution lines, hidden-test lines) of `lessons` (default: every lesson) in solutions/:
    the text that must not reach students who work on them.

    A line counts when it is telling (12 characters or more, stripped, not a comment) and is
    not also public: outside the solution and hidden-test regions of every lesson's notebook,
    or inside those of a lesson before all of `lessons` (released to students of `lessons`).
    Lines of course_utils are not public: a pack's copy of the package is searched too.
    """
    root = root or course_root()
    public: set[str] = set()
    regions: list[tuple[str, str]] = []
    for path in sorted((root / "solutions").glob("*/*.ipynb")):
        secret = lessons is None or path.parent.name >= min(lessons)
        notebook = nbformat.read(str(path), as_version=4)
        for cell in notebook.cells:
            region = None
            for line in cell.source.split("\n"):
                marker = MARKERS.search(line)
                if marker:
                    region = marker.group(2) if marker.group(1) == "BEGIN" else None
                    continue
                text = line.strip()
                if region and secret:
                    regions.append((region, text))
                elif (
                    not region
                    or lessons is not None
                    and path.parent.name < min(lessons)
                ):
                    public.add(text)  # outside the regions, or released with its lesson
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


def _answer_runs(lines: list[str], secrets: set[str], run: int = 3, window: int = 5):
    """Runs of answer code in a file: `run` or more secret lines within `window` consecutive
    non-blank lines. A single line shared with an answer (`model.eval()`, `if mask is None:`)
    is how Python is written; three of them together are a copy. Declarations of a layer
    (`self.q_proj = nn.Linear(d_model, d_model)`) do not count: the exercises' contracts
    state the names and shapes of their layers."""
    code = [line.strip() for line in lines if line.strip()]
    found: set[str] = set()
    for start in range(len(code)):
        inside = [
            line
            for line in code[start : start + window]
            if line in secrets and not LAYER_DECLARATION.match(line)
        ]
        if len(inside) >= run:
            found.update(inside)
    return found


def leaks(
    bundle: Path, root: Path | None = None, lessons: list[str] | None = None
) -> list[str]:
    """Everything of solutions/ found in `bundle`, a pack of `lessons` (default: of every lesson).

    Found: copies of its files; in notebooks, markers and any solution or hidden-test line of
    those lessons or of a later lesson; in every other file, course_utils included, runs of
    such lines (`_answer_runs`). Lines of the answers the pack ships (earlier lessons') are
    released to these students, so they are not secrets here.
    """
    root = root or course_root()
    found = []
    solution_files = {
        p.read_bytes() for p in (root / "solutions").rglob("*") if p.is_file()
    }
    solution_lines, hidden_lines = solution_secrets(root, lessons)
    for shipped in (bundle / answers.PACKAGE / "reference").glob("*.py"):
        released = {line.strip() for line in shipped.read_text().split("\n")}
        solution_lines -= released
        hidden_lines -= released
    secrets = solution_lines | hidden_lines

    def describe(relative: Path, line: str) -> str:
        kind = "solution" if line in solution_lines else "hidden test"
        return f"{relative}: {kind} line {line!r}"

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
            if any(MARKERS.search(line) for line in lines):
                found.append(f"{relative}: a solution or hidden-test marker")
            found += [describe(relative, line) for line in sorted(set(lines) & secrets)]
        else:
            runs = _answer_runs(text.split("\n"), secrets)
            found += [describe(relative, line) for line in sorted(runs)]
    return found


class PackRefused(ValueError):
    """A set of lessons that one pack cannot hold, with what to do instead."""


def released_lessons(root: Path) -> list[str]:
    return sorted(
        p.name
        for p in (root / "notebooks").iterdir()
        if (p / f"{p.name}.ipynb").exists()
    )


def select_lessons(specs: list[str], released: list[str]) -> list[str]:
    """['05-07'] or ['05', '07_training_a_transformer'] -> the released lesson ids they name.

    A spec is a lesson id, its two-digit number, or a range of numbers `A-B` (both included).
    """
    if not specs:
        raise ValueError(
            "name the lessons to pack, for example `--lessons 05-07` or `--lessons 03`; "
            f"released: {', '.join(released)}"
        )
    by_number = {lesson[:2]: lesson for lesson in released}
    chosen: list[str] = []
    for spec in specs:
        for part in spec.split(","):
            part = part.strip()
            first, dash, last = part.partition("-")
            if dash and first.isdigit() and last.isdigit():
                numbers = [n for n in by_number if first.zfill(2) <= n <= last.zfill(2)]
                if not numbers:
                    raise ValueError(
                        f"no released lesson in {part!r}: released: {', '.join(released)}"
                    )
                chosen += [by_number[n] for n in numbers]
            elif part in released:
                chosen.append(part)
            elif part.zfill(2) in by_number and part.isdigit():
                chosen.append(by_number[part.zfill(2)])
            else:
                raise ValueError(
                    f"no released lesson {part!r}: expected a lesson id, its number or a "
                    f"range such as 05-07; released: {', '.join(released)}; run "
                    "`make release` if a lesson is missing"
                )
    return sorted(set(chosen))


def refusal(plan: answers.PackPlan, lessons: list[str]) -> str:
    lines = [
        f"a pack of {', '.join(lessons)} cannot hold these lessons: a pack ships no answer "
        f"to its own lessons (nor later ones), only those of the lessons before "
        f"{lessons[0]}, and these lessons need one:"
    ]
    for lesson, needs in plan.refused.items():
        lines += [f"  {lesson} uses " + needs[0]] + [f"    and {n}" for n in needs[1:]]
    lines.append(
        "Pack a lesson once the lessons whose answers it builds on are past their "
        "deadline (for example one pack per lesson: `course pack --lessons 06`)."
    )
    return "\n".join(lines)


def _answers_readme(plan: answers.PackPlan) -> str:
    if not plan.answers:
        return (
            "\n## Answers in this pack\n\nNone: this pack holds no reference answer.\n"
        )
    listed = "\n".join(
        f"- `{module}`: lesson {lesson}"
        for module, lesson in sorted(plan.answers.items())
    )
    return (
        "\n## Answers in this pack\n\nThe reference answers of earlier lessons, which "
        f"the lessons here build on:\n\n{listed}\n"
    )


def _copy_package(root: Path, bundle: Path, modules: set[str]) -> None:
    source = root / answers.PACKAGE
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(root)
        if "__pycache__" in relative.parts or path.is_dir():
            continue
        if path.suffix == ".py" and answers.module_name(root, path) not in modules:
            continue
        target = bundle / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def pack(
    out: Path | str | None = None,
    *,
    lessons: list[str],
    root: Path | None = None,
    archive: bool = True,
) -> Path:
    """Build the student bundle of `lessons` in `out` (default build/student-pack) and, unless
    archive=False, a zip of it.

    The bundle holds the released notebooks of `lessons` and the course_utils modules they can
    use: the reference answers of the lessons before the first of them, never their own or later
    ones, and the modules that import none of those. PackRefused when a lesson needs an answer
    the pack cannot hold; RuntimeError when the leak check finds anything of solutions/.
    """
    root = Path(root or course_root())
    out = Path(out) if out else root / "build" / "student-pack"
    released = released_lessons(root)
    missing = [lesson for lesson in lessons if lesson not in released]
    if missing or not lessons:
        raise ValueError(
            f"no released notebook for {missing or 'an empty list of lessons'}: "
            f"released: {', '.join(released)}; run `make release` first"
        )
    lessons = sorted(lessons)
    plan = answers.plan(root, lessons)
    if plan.refused:
        raise PackRefused(refusal(plan, lessons))
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
        _copy_package(root, bundle, plan.modules)
        for name in ENVIRONMENT_FILES:
            if (root / name).exists():
                shutil.copy(root / name, bundle / name)
        (bundle / "README.md").write_text(STUDENT_README + _answers_readme(plan))
        pyproject = bundle / "pyproject.toml"
        if pyproject.exists():
            pyproject.write_text(without_instructor_tools(pyproject.read_text()))
        problems = leaks(bundle, root, lessons)
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
