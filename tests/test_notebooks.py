"""Every solution notebook runs top to bottom on the CPU, as a student sees it, within its budget.

Each lesson runs in a scratch copy of its folder (files it writes stay there), in full
mode (tests/full_run.py says what a full run must show). Where Chromium and Playwright
are here, tests/browser/test_lessons.py runs each lesson so in JupyterLab and this test
is skipped for the lessons it runs (tests/conftest.py); one full run per lesson is enough.
The time of each lesson is printed at the end.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from conftest import ipc_kernel, record_time
from full_run import (
    SHORTENED,
    SHORTENED_ENV,
    figure_problems,
    is_progress_bar,
    over_budget,
)
from nbclient import NotebookClient

from course_tools.release import COURSE_ROOT, lesson_ids


def execute(
    lesson: str,
    workdir: Path,
    extra_env: dict[str, str],
    figure_log: Path | None = None,
) -> tuple[nbformat.NotebookNode, float, float]:
    """Run a scratch copy of a solution notebook; with `figure_log`, record every figure it
    draws. Returns the notebook, the wall seconds and the CPU seconds of the kernel (and
    anything it started), counted when it exits."""
    shutil.copytree(COURSE_ROOT / "solutions" / lesson, workdir / lesson)
    path = workdir / lesson / f"{lesson}.ipynb"
    notebook = nbformat.read(str(path), as_version=4)
    if figure_log is not None:
        notebook.cells.insert(
            0,
            nbformat.v4.new_code_cell(
                f"import course_tools.figure_audit\ncourse_tools.figure_audit.install({str(figure_log)!r})"
            ),
        )
    saved = {key: os.environ.get(key) for key in extra_env}
    os.environ.update(extra_env)
    try:
        client = NotebookClient(
            notebook,
            km=ipc_kernel("python3"),
            timeout=600,
            allow_errors=True,
            resources={"metadata": {"path": str(path.parent)}},
        )
        start, before = time.perf_counter(), os.times()
        client.execute()  # shuts the kernel down and waits for it
        seconds, after = time.perf_counter() - start, os.times()
        cpu = (after.children_user - before.children_user) + (
            after.children_system - before.children_system
        )
        if figure_log is not None:
            notebook.cells.pop(0)
        return notebook, seconds, cpu
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def errors_in(notebook) -> list[str]:
    """Each error output, and each write to stderr that is not a progress bar."""
    found = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                found.append(f"cell {index}: {output.ename}: {output.evalue}")
            elif (
                output.output_type == "stream"
                and output.name == "stderr"
                and not is_progress_bar(output.text)
            ):
                found.append(f"cell {index} wrote to stderr: {output.text[:300]}")
    return found


@pytest.mark.notebook
@pytest.mark.parametrize("lesson", lesson_ids())
def test_solution_runs_top_to_bottom(lesson, tmp_path):
    figure_log = tmp_path / "figures.jsonl"
    notebook, seconds, cpu = execute(
        lesson, tmp_path, SHORTENED_ENV if lesson in SHORTENED else {}, figure_log
    )
    label = "run (shortened)" if lesson in SHORTENED else "run (full)"
    record_time(lesson, label, seconds)
    record_time(lesson, label.replace("run", "kernel cpu"), cpu)
    assert not errors_in(notebook), (
        f"{lesson} raised errors or wrote to stderr:\n" + "\n".join(errors_in(notebook))
    )
    unreadable = figure_problems(figure_log)
    assert not unreadable, (
        f"{lesson} shows figures a student cannot read well:\n" + "\n".join(unreadable)
    )
    slow = over_budget(lesson, seconds, cpu)
    assert slow is None, slow
