"""The student pack (`course pack`): no solutions, no hidden tests, and no answer to the lessons
it packs; earlier lessons' answers ship with it, and what it ships works on its own."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbgrader.preprocessors import ClearHiddenTests

from course_tools.cli import main as course
from course_tools.grading import answers
from course_tools.grading.pack import (
    PackRefused,
    leaks,
    pack,
    released_lessons,
    select_lessons,
    solution_secrets,
)
from course_tools.release import COURSE_ROOT

LESSON = "00_orientation"
RELEASED = released_lessons(COURSE_ROOT)


def test_student_pack_holds_what_students_need_and_nothing_of_solutions(tmp_path):
    out = pack(tmp_path / "student-pack", lessons=[LESSON])
    for needed in [
        "README.md",
        "pyproject.toml",
        "requirements.lock",
        "environment.yml",
        "course_utils/testing.py",
        f"notebooks/{LESSON}/{LESSON}.ipynb",
    ]:
        assert (out / needed).exists(), needed
    assert not list(out.rglob("solutions")) and not list(out.rglob("*.db"))
    assert not (out / "course_tools").exists()
    pyproject = (out / "pyproject.toml").read_text()
    assert "course_tools" not in pyproject and "[project.scripts]" not in pyproject
    assert 'include = ["course_utils*"]' in pyproject
    assert leaks(out, lessons=[LESSON]) == []
    names = zipfile.ZipFile(tmp_path / "student-pack.zip").namelist()
    assert f"student-pack/notebooks/{LESSON}/{LESSON}.ipynb" in names
    assert not any("solutions" in name for name in names)
    released = nbformat.read(
        str(out / "notebooks" / LESSON / f"{LESSON}.ipynb"), as_version=4
    )
    released_lines = {
        line.strip() for cell in released.cells for line in cell.source.split("\n")
    }
    solution_lines, hidden_lines = solution_secrets()
    assert solution_lines and hidden_lines
    assert not released_lines & (solution_lines | hidden_lines)
    # lesson 00 is the first: no answer at all, and the README says so
    assert sorted(p.name for p in (out / "course_utils/reference").iterdir()) == [
        "__init__.py"
    ]
    assert (
        "None: this pack holds no reference answer" in (out / "README.md").read_text()
    )


def test_the_leak_check_catches_solutions(tmp_path):
    bundle = tmp_path / "bundle"
    (bundle / "notebooks" / LESSON).mkdir(parents=True)
    source = nbformat.read(
        str(COURSE_ROOT / "solutions" / LESSON / f"{LESSON}.ipynb"), as_version=4
    )
    source.cells.insert(0, nbformat.v4.new_markdown_cell("# Not quite a copy"))
    nbformat.write(source, str(bundle / "notebooks" / LESSON / "copy.ipynb"))
    (bundle / "notes.py").write_bytes(
        (COURSE_ROOT / "solutions" / LESSON / f"{LESSON}.ipynb").read_bytes()
    )
    found = " | ".join(leaks(bundle))
    assert (
        "marker" in found
        and "hidden test line" in found
        and "a copy of a file of solutions/" in found
    )


def _solution_code(lesson: str) -> list[str]:
    notebook = nbformat.read(
        str(COURSE_ROOT / "solutions" / lesson / f"{lesson}.ipynb"), as_version=4
    )
    for cell in notebook.cells:
        if "### BEGIN SOLUTION" in cell.source:
            inside = cell.source.split("### BEGIN SOLUTION")[1]
            return inside.split("### END SOLUTION")[0].split("\n")
    raise AssertionError(f"{lesson} has no solution region")


def test_the_leak_check_reads_the_package_too(tmp_path):
    lesson = "04_positional_encodings"
    out = pack(tmp_path / "pack", lessons=[lesson], archive=False)
    assert leaks(out, lessons=[lesson]) == []
    helper = out / "course_utils" / "helpers.py"
    helper.write_text("def handy(x):\n" + "\n".join(_solution_code(lesson)) + "\n")
    found = leaks(out, lessons=[lesson])
    assert found and all(item.startswith("course_utils/helpers.py") for item in found)
    # the same lines are no secret to the students of a later lesson, who have them
    later = "05_masking"
    assert not any("helpers.py" in item for item in leaks(out, lessons=[later]))


def test_a_pack_ships_the_answers_of_earlier_lessons_only(tmp_path):
    out = pack(
        tmp_path / "pack",
        lessons=["08_attention_at_scale", "09_inside_a_pretrained_transformer"],
        archive=False,
    )
    lesson_of, _ = answers.reference_lessons(COURSE_ROOT)
    shipped = {
        f"course_utils.reference.{p.stem}"
        for p in (out / "course_utils" / "reference").glob("*.py")
        if p.stem != "__init__"
    }
    assert shipped == {m for m, lesson in lesson_of.items() if lesson < "08"}
    readme = (out / "README.md").read_text()
    assert "`course_utils.reference.gpt`: lesson 07_training_a_transformer" in readme
    assert "kv_cache" not in readme and "modern" not in readme
    # every module it ships imports on a machine without the course
    python = _venv_without_the_course(tmp_path / "venv")
    modules = sorted(
        answers.module_name(out, path) for path in (out / "course_utils").rglob("*.py")
    )
    result = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib, sys\n"
            "for name in sys.argv[1:]:\n    importlib.import_module(name)\n"
            "import course_utils; print(course_utils.__file__)",
            *modules,
        ],
        env={**os.environ, "PYTHONPATH": str(out)},
        cwd=tmp_path,  # not the repository, whose course_utils `-c` would find first
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1].startswith(str(out)), result.stdout


@pytest.mark.parametrize("lesson", RELEASED)
def test_each_lesson_packs_on_its_own(lesson):
    """No lesson's release, nor a module it imports, needs that lesson's answers or a later one's."""
    assert answers.plan(COURSE_ROOT, [lesson]).refused == {}


def test_a_lesson_that_builds_on_another_in_the_pack_is_refused(tmp_path):
    with pytest.raises(PackRefused) as refused:
        pack(
            tmp_path / "pack",
            lessons=["02_dot_product_attention", "03_multi_head_attention"],
        )
    message = str(refused.value)
    assert "03_multi_head_attention uses course_utils.reference.attention" in message
    assert "the answers to 02_dot_product_attention" in message
    assert not (tmp_path / "pack").exists()


def test_lessons_are_chosen_by_id_number_or_range(capsys):
    assert select_lessons(["05-07"], RELEASED) == [
        "05_masking",
        "06_transformer_blocks",
        "07_training_a_transformer",
    ]
    assert select_lessons(["3,00_orientation"], RELEASED) == [
        "00_orientation",
        "03_multi_head_attention",
    ]
    for bad, expected in [([], "name the lessons"), (["13"], "no released lesson")]:
        with pytest.raises(ValueError, match=expected):
            select_lessons(bad, RELEASED)
    assert course(["pack"]) == 2
    assert "name the lessons to pack" in capsys.readouterr().err
    assert course(["pack", "--lessons", "02-03", "--no-archive"]) == 2
    assert "cannot hold these lessons" in capsys.readouterr().err


def _venv_without_the_course(folder: Path) -> Path:
    """A virtual environment that sees this one's packages but not the course's editable install."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True
    )
    purelib = Path(sysconfig.get_paths()["purelib"])
    site = next((folder / "lib").glob("python3*/site-packages"))
    (site / "course-packages.pth").write_text(f"{purelib}\n")
    return folder / "bin" / "python"


@pytest.mark.notebook
def test_a_packed_lesson_runs_on_the_pack_alone(tmp_path):
    """Lesson 05 with its solutions filled in runs on the pack's course_utils and nothing else."""
    lesson = "05_masking"
    out = pack(tmp_path / "pack", lessons=[lesson], archive=False)
    python = _venv_without_the_course(tmp_path / "venv")
    notebook = nbformat.read(
        str(COURSE_ROOT / "solutions" / lesson / f"{lesson}.ipynb"), as_version=4
    )
    notebook, _ = ClearHiddenTests().preprocess(notebook, {})
    notebook.cells.insert(
        0,
        nbformat.v4.new_code_cell(
            "import course_utils\n"
            f"assert course_utils.__file__.startswith({str(out)!r}), course_utils.__file__"
        ),
    )
    target = out / "notebooks" / lesson / "solved.ipynb"
    nbformat.write(notebook, str(target))
    env = {
        **os.environ,
        "PYTHONPATH": str(out),
        "COURSE_QUICK": "1",
        "MPLBACKEND": "Agg",
    }
    script = (
        "import sys, nbformat, nbclient\n"
        "nb = nbformat.read(sys.argv[1], as_version=4)\n"
        "nbclient.NotebookClient(nb, timeout=300, kernel_name='python3',"
        " resources={'metadata': {'path': sys.argv[2]}}).execute()\n"
        "print('ran', len(nb.cells))\n"
    )
    result = subprocess.run(
        [str(python), "-c", script, str(target), str(target.parent)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "ran" in result.stdout
