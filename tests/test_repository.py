"""Checks of the repository itself: notebooks stored clean, the release in step with the
solutions, nbgrader metadata well formed, and the conda environment equal to the lock."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
import yaml
from packaging.utils import canonicalize_name

from course_tools.authoring import parse, render
from course_tools.release import COURSE_ROOT, lesson_ids, release
from course_utils.doctor import locked_versions, parse_requirements

LESSONS = lesson_ids()
COURSE_ARC = [
    "00_orientation",
    "01_rnn_limits",
    "02_dot_product_attention",
    "03_multi_head_attention",
    "04_positional_encodings",
    "05_masking",
    "06_transformer_blocks",
    "07_training_a_transformer",
    "08_attention_at_scale",
    "09_inside_a_pretrained_transformer",
    "10_modern_transformer",
    "11_interpretability",
]
ALL_NOTEBOOKS = sorted(COURSE_ROOT.glob("solutions/*/*.ipynb")) + sorted(
    COURSE_ROOT.glob("notebooks/*/*.ipynb")
)


def read(path: Path):
    return nbformat.read(str(path), as_version=4)


def fingerprint(notebook) -> list[tuple]:
    """What must agree between two releases: cell types, sources and nbgrader metadata (not ids or outputs)."""
    return [
        (c.cell_type, c.source, c.get("metadata", {}).get("nbgrader"))
        for c in notebook.cells
    ]


def test_lessons_follow_the_course_arc():
    assert LESSONS, "no lesson notebooks in solutions/"
    assert set(LESSONS) <= set(COURSE_ARC), (
        f"unknown lesson ids {sorted(set(LESSONS) - set(COURSE_ARC))}"
    )


@pytest.mark.parametrize(
    "path", ALL_NOTEBOOKS, ids=lambda p: str(p.relative_to(COURSE_ROOT))
)
def test_notebook_is_stored_without_outputs(path):
    notebook = read(path)
    dirty = [
        i
        for i, c in enumerate(notebook.cells)
        if c.cell_type == "code" and (c.outputs or c.execution_count)
    ]
    assert not dirty, (
        f"{path.name} has stored outputs in cells {dirty}: clear them (the authoring pack step does)"
    )


@pytest.mark.parametrize(
    "path", ALL_NOTEBOOKS, ids=lambda p: str(p.relative_to(COURSE_ROOT))
)
def test_notebook_names_its_kernel(path):
    kernelspec = read(path).metadata.get("kernelspec", {})
    assert kernelspec.get("name") == "python3", (
        f"{path.name}: kernelspec metadata missing or not python3"
    )


# JupyterLab does not wrap code: with the file browser open, a notebook on a laptop shows
# about 100 characters of a line, so lessons keep to black's 88 (ruff format --line-length 88).
MAX_CODE_LINE = 88


@pytest.mark.parametrize("lesson", LESSONS)
def test_code_lines_fit_the_notebook(lesson):
    notebook = read(COURSE_ROOT / "solutions" / lesson / f"{lesson}.ipynb")
    too_long = [
        f"cell {index}: {len(line)} characters: {line.strip()[:60]}..."
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
        if len(line) > MAX_CODE_LINE
    ]
    assert not too_long, (
        f"{lesson}: {len(too_long)} code lines longer than {MAX_CODE_LINE} "
        "characters, cut off in JupyterLab:\n" + "\n".join(too_long)
    )


@pytest.mark.parametrize("lesson", LESSONS)
def test_release_is_up_to_date(lesson):
    committed = COURSE_ROOT / "notebooks" / lesson / f"{lesson}.ipynb"
    assert committed.exists(), f"notebooks/{lesson} is missing: run `make release`"
    with tempfile.TemporaryDirectory() as scratch:
        (fresh,) = release([lesson], release_dir=Path(scratch))
        assert fingerprint(read(committed)) == fingerprint(read(fresh)), (
            f"notebooks/{lesson} is out of date with solutions/{lesson}: run `make release`"
        )


def test_no_release_without_a_solution():
    released = sorted(p.parent.name for p in COURSE_ROOT.glob("notebooks/*/*.ipynb"))
    assert set(released) <= set(LESSONS), (
        f"release without a source: {sorted(set(released) - set(LESSONS))}"
    )


@pytest.mark.parametrize("lesson", LESSONS)
def test_nbgrader_cells_are_well_formed(lesson):
    notebook = read(COURSE_ROOT / "solutions" / lesson / f"{lesson}.ipynb")
    ids, problems = [], []
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader")
        if not meta:
            continue
        ids.append(meta["grade_id"])
        if meta.get("grade") and not meta.get("solution"):
            if not cell.source.startswith("# Test:"):
                problems.append(
                    f"{meta['grade_id']}: a test cell must say what it checks in its first line ('# Test: ...')"
                )
            if "### BEGIN HIDDEN TESTS" not in cell.source:
                problems.append(f"{meta['grade_id']}: no hidden tests")
        if (
            meta.get("solution")
            and cell.cell_type == "code"
            and "### BEGIN SOLUTION" not in cell.source
        ):
            problems.append(
                f"{meta['grade_id']}: a solution cell without a ### BEGIN SOLUTION region"
            )
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, (
        f"{lesson}: duplicated grade_id {duplicates} (one stops a whole autograde run)"
    )
    assert not problems, f"{lesson}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lesson", LESSONS)
def test_text_form_round_trips(lesson):
    """Unpacking a lesson to text and packing it again loses nothing."""
    notebook = read(COURSE_ROOT / "solutions" / lesson / f"{lesson}.ipynb")
    assert fingerprint(parse(render(notebook))) == fingerprint(notebook)


def test_environment_yml_matches_the_lock():
    """conda's pip installs the lock's own lines, markers included."""
    conda = yaml.safe_load((COURSE_ROOT / "environment.yml").read_text())
    pip_lines = next(
        item["pip"] for item in conda["dependencies"] if isinstance(item, dict)
    )
    conda_pins = {
        str(pin) for pin in parse_requirements("\n".join(pip_lines), "environment.yml")
    }
    lock = COURSE_ROOT / "requirements.lock"
    pins = {str(pin) for pin in parse_requirements(lock.read_text(), lock.name)}
    assert conda_pins == pins, (
        "environment.yml and requirements.lock disagree (run `make lock`): "
        f"{sorted(conda_pins ^ pins)[:10]}"
    )


@pytest.mark.parametrize(
    "direct, locks",
    [
        ("requirements.in", ["requirements.lock"]),
        (
            "requirements-pretrained.in",
            ["requirements.lock", "requirements-pretrained.lock"],
        ),
    ],
)
def test_every_direct_requirement_is_locked(direct, locks):
    """Each line of an .in file is pinned, for this machine, to a version it allows."""
    pins = {}
    for lock in locks:
        pins |= locked_versions(COURSE_ROOT / lock)
    wanted = [
        requirement
        for requirement in parse_requirements(
            (COURSE_ROOT / direct).read_text(), direct
        )
        if requirement.marker is None or requirement.marker.evaluate()
    ]
    unmet = [
        f"{requirement} (locked: {pins.get(canonicalize_name(requirement.name))})"
        for requirement in wanted
        if canonicalize_name(requirement.name) not in pins
        or pins[canonicalize_name(requirement.name)] not in requirement.specifier
    ]
    assert not unmet, f"{direct} asks for {unmet}: run `make lock`"
    assert pins.get("torch") == "2.13.0", "torch must stay pinned to 2.13.0"


def _ruff(*args: str) -> subprocess.CompletedProcess:
    ruff = Path(sys.executable).parent / "ruff"
    return subprocess.run(
        [str(ruff), *args], cwd=COURSE_ROOT, capture_output=True, text=True
    )


def test_python_files_keep_the_ruff_format():
    """`ruff format` (88 columns, black style) leaves every Python file as it is."""
    result = _ruff("format", "--check", ".")
    assert result.returncode == 0, (
        "files not in the course's format (run `.venv/bin/ruff format .`):\n"
        + result.stdout
        + result.stderr
    )


def test_python_files_pass_ruff_check():
    """pyflakes, pycodestyle, import order, bugbear and pyupgrade, as pyproject.toml sets."""
    result = _ruff("check", "--output-format", "concise", ".")
    assert result.returncode == 0, result.stdout + result.stderr


# Shorter solution lines (`return out`, `x = x + 1`) say nothing on their own.
MIN_DICTATED = 20
GENERIC = {"with torch.no_grad():"}  # long enough, but tells nothing of any answer
# Lessons whose text still hands over solution lines, each with what is left to do.
DICTATING: dict[str, str] = {}


def normalised(text: str) -> str:
    return " ".join(text.split())


def solution_lines(notebook) -> set[str]:
    """The lines between ### BEGIN and ### END SOLUTION, whitespace collapsed, comments dropped."""
    found, inside = set(), False
    for cell in notebook.cells:
        for line in cell.source.splitlines():
            marker = line.strip()
            if marker == "### BEGIN SOLUTION":
                inside = True
            elif marker == "### END SOLUTION":
                inside = False
            elif inside and not marker.startswith("#"):
                code = normalised(marker)
                if len(code) >= MIN_DICTATED and code not in GENERIC:
                    found.add(code)
    return found


def code_spans(markdown: str) -> list[str]:
    """The calls with arguments in a markdown cell's code, `x.amax(dim=dim, keepdim=True)`:
    a name, a shape or an attribute path states a contract; a call shows how to meet it."""
    spans = re.findall(r"(?<!`)`([^`\n]+)`(?!`)", markdown)
    for block in re.findall(r"```[^\n]*\n(.*?)```", markdown, re.S):
        spans += block.splitlines()
    return [
        normalised(span)
        for span in spans
        if len(normalised(span)) >= MIN_DICTATED and re.search(r"\w\([^)]", span)
    ]


def dictated(lesson: str) -> list[str]:
    """Where the release shows a solution line, or a piece of one in its prose's code."""
    answers = sorted(
        solution_lines(read(COURSE_ROOT / "solutions" / lesson / f"{lesson}.ipynb"))
    )
    release = read(COURSE_ROOT / "notebooks" / lesson / f"{lesson}.ipynb")
    found = []
    for index, cell in enumerate(release.cells):
        text = normalised(cell.source)
        found += [f"cell {index}: {line}" for line in answers if line in text]
        if cell.cell_type == "markdown":
            found += [
                f"cell {index}: `{span}` is part of `{line}`"
                for span in code_spans(cell.source)
                for line in answers
                if span in line and span != line
            ]
    return found


@pytest.mark.parametrize(
    "lesson",
    [
        pytest.param(
            lesson, marks=pytest.mark.xfail(reason=DICTATING[lesson], strict=True)
        )
        if lesson in DICTATING
        else lesson
        for lesson in LESSONS
    ],
)
def test_release_does_not_dictate_its_solutions(lesson):
    """An exercise states a contract: no cell a student receives holds a line of its solution."""
    given = dictated(lesson)
    assert not given, (
        f"{lesson}: the release shows {len(given)} solution line(s) or piece(s) of one "
        "before the student writes them:\n" + "\n".join(given)
    )


@pytest.mark.parametrize("lesson", LESSONS)
def test_readme_and_lesson_state_the_same_time(lesson):
    """The README's lesson table and the lesson's own first cell name one time needed."""
    first = read(COURSE_ROOT / "solutions" / lesson / f"{lesson}.ipynb").cells[0].source
    stated = re.search(r"\*\*Time:\*\* about (\d+) minutes", first)
    assert stated, f"{lesson}: the first cell does not say '**Time:** about N minutes'"
    row = next(
        (
            line
            for line in (COURSE_ROOT / "README.md").read_text().splitlines()
            if line.startswith(f"| {lesson[:2]} |")
        ),
        None,
    )
    assert row, f"README.md's lesson table has no row '| {lesson[:2]} | ...'"
    listed = re.search(r"\|\s*(\d+) min\s*\|\s*$", row)
    assert listed and listed.group(1) == stated.group(1), (
        f"{lesson}: the lesson says about {stated.group(1)} minutes, README.md's table "
        f"{listed.group(1) + ' min' if listed else 'no time'}"
    )
