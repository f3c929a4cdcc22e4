"""Unit tests of the grading workflow's parts: collecting, checking notebooks, the sandbox,
the student bundle, the `course` command, and the tamper checks of course_utils.testing.
(The whole batch on hostile submissions is in test_grading_hostile.py.)"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
import torch
from conftest import missing_system_component, require_sandbox
from roundtrip import grade_id, release_notebook, student_notebook

from course_tools import release
from course_tools.cli import main as course
from course_tools.grading import sandbox
from course_tools.grading.collect import collect, student_id
from course_tools.grading.integrity import prepare_submission, scan_source
from course_tools.release import COURSE_ROOT
from course_utils import testing

LESSON = "00_orientation"


def notebook_bytes(notebook) -> bytes:
    return nbformat.writes(notebook).encode()


# collect ---------------------------------------------------------------------------------


def test_collect_reads_nbgrader_layout_flat_files_and_zips(tmp_path):
    solved = notebook_bytes(student_notebook(LESSON))
    (tmp_path / "ann" / LESSON).mkdir(parents=True)
    (tmp_path / "ann" / LESSON / f"{LESSON}.ipynb").write_bytes(solved)
    (tmp_path / "ben" / LESSON).mkdir(
        parents=True
    )  # a folder with the wrong notebook name
    (tmp_path / "ben" / LESSON / "mine.ipynb").write_bytes(solved)
    (tmp_path / "Chloe Dupont_123.ipynb").write_bytes(solved)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"deep/folder/{LESSON}.ipynb", solved)
        archive.writestr(f"__MACOSX/deep/._{LESSON}.ipynb", b"junk")
    (tmp_path / "dan.zip").write_bytes(buffer.getvalue())
    (tmp_path / "eve.zip").write_bytes(b"not a zip")
    (tmp_path / "notes.txt").write_text("ignored")
    found = {s.student: s for s in collect(tmp_path, LESSON)}
    assert sorted(found) == ["Chloe_Dupont_123", "ann", "ben", "dan", "eve"]
    for name in ("ann", "Chloe_Dupont_123", "dan"):
        assert found[name].data == solved and found[name].problem is None
    assert (
        found["ben"].data is None and "no 00_orientation.ipynb" in found["ben"].problem
    )
    assert found["eve"].data is None and "not a readable zip" in found["eve"].problem


def test_student_ids_are_safe_and_unique(tmp_path):
    assert student_id("../../etc/passwd") == "etc_passwd"
    assert student_id("  ") == "student"
    data = notebook_bytes(student_notebook(LESSON))
    (tmp_path / "a b.ipynb").write_bytes(data)
    (tmp_path / "a_b.ipynb").write_bytes(data)
    assert [s.student for s in collect(tmp_path, LESSON)] == ["a_b", "a_b-2"]


# integrity -------------------------------------------------------------------------------


def test_corrupt_and_foreign_files_are_reported_not_raised():
    release = release_notebook(LESSON)
    for data, phrase in [
        (b"", "empty"),
        (b'{"cells": [', "corrupt JSON"),
        (b"\x89PNG\x00\xff", "not text"),
        (b"[1, 2]", "without a list of cells"),
        (b'{"cells": [], "nbformat": 3}', "nbformat 3"),
    ]:
        prepared = prepare_submission(data, release)
        assert prepared.notebook is None and phrase in prepared.problems[0]


def test_tampered_cells_are_restored_and_reported():
    release = release_notebook(LESSON)
    notebook = student_notebook(LESSON)
    tests = [
        c
        for c in notebook.cells
        if c.metadata.get("nbgrader", {}).get("grade")
        and not c.metadata.nbgrader.get("solution")
    ]
    ids = [grade_id(c) for c in tests]
    tests[0].source = "pass"
    tests[0].metadata.nbgrader["points"] = 99
    tests[1].cell_type = "raw"
    del tests[1]["outputs"], tests[1]["execution_count"]
    tests[2].metadata.nbgrader["grade_id"] = "made_up"
    notebook.cells.remove(tests[3])
    duplicate = nbformat.v4.new_code_cell(
        "pass", metadata={"nbgrader": dict(tests[4].metadata.nbgrader)}
    )
    notebook.cells.append(duplicate)
    prepared = prepare_submission(notebook_bytes(notebook), release)
    text = " | ".join(prepared.problems)
    for phrase in [
        f"test cell {grade_id(tests[0])!r} was edited",
        "changed from 1 to 99",
        "changed from code to raw",
        "unknown grade_id 'made_up'",
        f"test cell {grade_id(tests[3])!r} was deleted",
        f"{grade_id(tests[4])!r} appears 2 times",
        f"test cell {ids[2]!r} was deleted",
    ]:
        assert phrase in text, text
    cells = {grade_id(c): c for c in prepared.notebook.cells if grade_id(c)}
    assert cells[grade_id(tests[0])].metadata.nbgrader["points"] == 1
    assert cells[grade_id(tests[1])].cell_type == "code"
    assert (
        sum(1 for c in prepared.notebook.cells if grade_id(c) == grade_id(tests[4]))
        == 1
    )
    nbformat.validate(prepared.notebook)


def test_an_honest_submission_has_no_problem():
    prepared = prepare_submission(
        notebook_bytes(student_notebook(LESSON)), release_notebook(LESSON)
    )
    assert prepared.problems == [] and prepared.suspicious == []


def test_the_scan_names_what_cheats_use():
    source = (
        "import course_utils.testing as t\nimport builtins\nt._abs = abs\ntorch.allclose = lambda *a: True\n"
        "get_ipython().input_transformers_post.append(f)\nimport os; os._exit(0)\n"
        "class A:\n    def __eq__(self, o):\n        return True\n"
    )
    found = " | ".join(scan_source(source))
    for phrase in [
        "rebinds t._abs",
        "rebinds torch.allclose",
        "get_ipython",
        "input transformer",
        "os._exit",
        "builtins",
        "defines __eq__",
    ]:
        assert phrase in found, found
    assert (
        scan_source(
            "def softmax(x, dim=-1):\n    e = torch.exp(x - x.amax(dim, keepdim=True))\n    return e / e.sum(dim, keepdim=True)\n"
        )
        == []
    )


class _CycleWithFinalizer:
    """Garbage that only the cyclic collector frees, running Python code as it does."""

    def __init__(self):
        self.itself = self

    def __del__(self):
        pass


def test_the_scan_runs_on_several_threads_at_once():
    """`course grade` scans submissions on several threads. On CPython 3.11 two threads
    in ast.parse at once can fail with "AST constructor recursion depth mismatch" when a
    collection during one parse lets the other thread run; here 2 threads x 30 scans of
    200 functions, with such collections, raised it within seconds before the scan took
    a lock."""
    import gc
    import threading

    source = "\n".join(
        f"def f{i}(x):\n    return [y * {i} for y in range(x) if y % 3]"
        for i in range(200)
    )
    errors: list[str] = []

    def scan_many():
        for _ in range(30):
            for _ in range(50):
                _CycleWithFinalizer()
            try:
                scan_source(source)
            except SystemError as error:
                errors.append(str(error))
                return

    thresholds, interval = gc.get_threshold(), sys.getswitchinterval()
    gc.set_threshold(50, 5, 5)
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=scan_many) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        gc.set_threshold(*thresholds)
        sys.setswitchinterval(interval)
    assert not errors, errors


# sandbox ---------------------------------------------------------------------------------


@pytest.fixture
def needs_bwrap():
    if sandbox.bwrap_path() is None:
        missing_system_component(
            "bubblewrap is not installed", "`apt-get install bubblewrap`"
        )


@pytest.mark.usefixtures("needs_bwrap")
def test_the_sandbox_hides_instructor_files_blocks_writes_and_network(tmp_path):
    scratch = sandbox.prepare_folder(tmp_path / "scratch", 123457)
    runtime = sandbox.prepare_folder(tmp_path / "runtime", 123457)
    secret = tmp_path / "secret.txt"
    secret.write_text("solution")
    probe = f"""
import os, socket, json
out = {{}}
for path in [{str(COURSE_ROOT / "solutions")!r}, {str(secret)!r}, {str(COURSE_ROOT / "nbgrader_config.py")!r}, '/root', '/proc/1/cwd']:
    try:
        out[path] = os.listdir(path) if os.path.isdir(path) else open(path).read()
    except OSError as error:
        out[path] = type(error).__name__
for path in [{str(COURSE_ROOT / "PWNED")!r}, {str(tmp_path / "PWNED")!r}, 'written.txt']:
    try:
        open(path, 'w').write('x'); out[path] = 'written'
    except OSError as error:
        out[path] = type(error).__name__
try:
    socket.create_connection(('1.1.1.1', 53), timeout=2); out['net'] = 'reached'
except OSError as error:
    out['net'] = type(error).__name__
out['uid'] = os.getuid()
print(json.dumps(out))
"""
    settings = sandbox.SandboxSettings(
        scratch=scratch, runtime=runtime, uid=123457, readonly=sandbox.python_paths()
    )
    command = sandbox.sandbox_command(
        [sys.executable, "-c", probe], settings, sandbox.check_sandbox()
    )
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen[str(COURSE_ROOT / "solutions")] == "FileNotFoundError"
    assert seen[str(secret)] == "FileNotFoundError"
    assert seen[str(COURSE_ROOT / "nbgrader_config.py")] == "FileNotFoundError"
    assert seen["/root"] == [".pyenv"] or "solutions" not in str(seen["/root"])
    assert seen["/proc/1/cwd"] in {"PermissionError", "FileNotFoundError"}
    assert seen[str(COURSE_ROOT / "PWNED")] in {
        "OSError",
        "FileNotFoundError",
        "PermissionError",
    }
    assert seen[str(tmp_path / "PWNED")] in {
        "OSError",
        "FileNotFoundError",
        "PermissionError",
    }
    assert seen["written.txt"] == "written" and (scratch / "written.txt").exists()
    assert seen["net"] != "reached"
    if os.geteuid() == 0:
        assert seen["uid"] == 123457
    assert not (COURSE_ROOT / "PWNED").exists() and not (tmp_path / "PWNED").exists()


@pytest.mark.usefixtures("needs_bwrap")
def test_the_sandbox_limits_memory_and_cpu(tmp_path):
    scratch = sandbox.prepare_folder(tmp_path / "scratch", 123458)
    runtime = sandbox.prepare_folder(tmp_path / "runtime", 123458)
    limits = sandbox.Limits(cpu=2, memory=512 * 2**20)
    settings = sandbox.SandboxSettings(
        scratch=scratch,
        runtime=runtime,
        uid=123458,
        limits=limits,
        readonly=sandbox.python_paths(),
    )
    bwrap = sandbox.check_sandbox()
    memory = subprocess.run(
        sandbox.sandbox_command(
            [sys.executable, "-c", "b = bytearray(2 * 2**30)"], settings, bwrap
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "MemoryError" in memory.stderr
    spin = subprocess.run(
        sandbox.sandbox_command(
            [sys.executable, "-c", "while True: pass"], settings, bwrap
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert spin.returncode != 0  # SIGXCPU / SIGKILL after 2 CPU seconds


def test_missing_bubblewrap_is_refused_clearly(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    with pytest.raises(sandbox.SandboxUnavailable, match="--no-sandbox"):
        sandbox.check_sandbox()
    (tmp_path / "subs").mkdir()
    assert (
        course(
            [
                "grade",
                LESSON,
                str(tmp_path / "subs"),
                "--out",
                str(tmp_path / "out"),
                "--no-progress",
            ]
        )
        == 2
    )
    error = capsys.readouterr().err
    assert (
        "cannot isolate student code" in error and "apt-get install bubblewrap" in error
    )
    assert not (tmp_path / "out" / "grades.csv").exists()


# the course command ----------------------------------------------------------------------


def test_course_command_lists_its_subcommands():
    result = subprocess.run(
        [sys.executable, "-m", "course_tools.cli", "--help"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0
    for command in ("grade", "pack", "release", "doctor"):
        assert command in result.stdout
    grade_help = subprocess.run(
        [sys.executable, "-m", "course_tools.cli", "grade", "--help"],
        capture_output=True,
        text=True,
    )
    for option in (
        "--workers",
        "--wall",
        "--cpu",
        "--memory",
        "--cell-timeout",
        "--no-sandbox",
        "--out",
    ):
        assert option in grade_help.stdout


def test_course_doctor_and_release_are_delegated(monkeypatch):
    calls = []
    import course_tools.release
    import course_utils.doctor

    monkeypatch.setattr(
        course_utils.doctor,
        "main",
        lambda argv=None: calls.append(("doctor", argv)) or 0,
    )
    monkeypatch.setattr(
        course_tools.release,
        "main",
        lambda argv=None: calls.append(("release", argv)) or 0,
    )
    assert course(["doctor", "--quiet"]) == 0
    assert course(["release", LESSON]) == 0
    assert calls == [("doctor", ["--quiet"]), ("release", [LESSON])]


# course_utils.testing: the public API still works, and tampering fails loudly ------------


def test_new_gradebooks_get_the_revision_nbgrader_itself_reads(tmp_path):
    """The template's gradebook is stamped with alembic's head read in-process: the same
    revision nbgrader's own `alembic heads` subprocess reads, and the one a gradebook that
    nbgrader made gets."""
    from nbgrader.api import Gradebook
    from sqlalchemy import text

    release.new_gradebooks_ask_alembic_in_process()
    head = release.alembic_head()
    assert head == release.nbgrader_alembic_version()
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gradebook:
        stamped = gradebook.db.execute(
            text("SELECT version_num FROM alembic_version")
        ).scalar()
    assert stamped == head


def test_testing_helpers_still_check_as_before():
    x = testing.random_tensor(3, 5, seed=4)
    testing.expect_close(torch.softmax(x, -1), torch.softmax(x.double(), -1), atol=1e-6)
    testing.expect_tensor(x, shape=(3, 5), dtype=torch.float32)
    with pytest.raises(testing.CheckFailed, match="differs from the reference"):
        testing.expect_close(x + 1e-3, x)
    with pytest.raises(testing.CheckFailed, match="should be a torch.Tensor"):
        testing.expect_close(x.numpy(), x)

    class Sub(torch.Tensor):
        def __eq__(self, other):
            return True

    with pytest.raises(testing.CheckFailed, match="should be a torch.Tensor"):
        testing.expect_tensor(x.as_subclass(Sub))
    with pytest.raises(testing.ForbiddenCall):
        with testing.forbidden_calls("softmax"):
            torch.nn.functional.softmax(x, -1)
    assert "exp" in testing.called_names(lambda t: t.exp())


def test_testing_helpers_notice_tampering(monkeypatch):
    monkeypatch.setattr(testing, "_abs", torch.zeros_like)
    with pytest.raises(testing.CheckFailed, match="tampered"):
        testing.expect(True, "")
    monkeypatch.undo()
    monkeypatch.setattr(
        testing._OpRecorder,
        "__torch_function__",
        lambda self, func, types, args=(), kwargs=None: func(*args, **(kwargs or {})),
    )
    with pytest.raises(testing.CheckFailed, match="tampered"):
        with testing.forbidden_calls("softmax"):
            pass
    monkeypatch.undo()
    testing.expect(True, "")


def test_rebinding_torch_functions_does_not_fool_expect_close(monkeypatch):
    x = testing.random_tensor(4, seed=2)
    monkeypatch.setattr(torch, "allclose", lambda *a, **k: True)
    monkeypatch.setattr(torch, "abs", torch.zeros_like)
    monkeypatch.setattr(torch, "equal", lambda *a, **k: True)
    monkeypatch.setattr(torch.Tensor, "__sub__", lambda a, b: torch.zeros_like(a))
    with pytest.raises(testing.CheckFailed, match="differs"):
        testing.expect_close(x + 1, x)


# feedback --------------------------------------------------------------------------------


def test_feedback_keeps_the_visible_test_and_the_message_and_drops_hidden_source():
    from course_tools.grading.feedback import HideTestSource, visible_text

    cell = nbformat.v4.new_code_cell(
        "# Test: rows sum to one\nexpect(ok, 'rows')\n### BEGIN HIDDEN TESTS\nsecret_check(x)\n### END HIDDEN TESTS"
    )
    cell.metadata["nbgrader"] = {
        "grade": True,
        "solution": False,
        "grade_id": "t",
        "points": 1,
        "locked": True,
    }
    cell.outputs = [
        nbformat.v4.new_output(
            "error",
            ename="CheckFailed",
            evalue="rows differ\nHint: which dim?",
            traceback=["  this cell, line 4: secret_check(x)", "rows differ"],
        )
    ]
    solution = nbformat.v4.new_code_cell("def f():\n    return 1")
    solution.metadata["nbgrader"] = {
        "grade": False,
        "solution": True,
        "grade_id": "f",
        "locked": False,
    }
    notebook = nbformat.v4.new_notebook(cells=[solution, cell])
    notebook, _ = HideTestSource().preprocess(notebook, {})
    assert notebook.cells[1].source == "# Test: rows sum to one\nexpect(ok, 'rows')"
    assert notebook.cells[1].outputs[0].traceback == [
        "CheckFailed: rows differ\nHint: which dim?"
    ]
    assert notebook.cells[0].source == "def f():\n    return 1"
    assert visible_text(
        "<pre><span>secret</span>&lt;x&gt;\n <b>a</b></pre><script>var s;</script>"
    ) == ["secret<x>", "a"]


def test_the_feedback_exporter_writes_what_nbconverts_writes():
    """Same visible text as nbconvert's HTMLExporter, images get alt text, lab-template cells
    a tabindex, with no second parse of the page."""
    from nbconvert.exporters import HTMLExporter

    from course_tools.grading.feedback import FeedbackExporter, visible_text

    image = nbformat.v4.new_output(
        "display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}
    )
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Lesson\nSome *prose* & <maths>."),
            nbformat.v4.new_code_cell("x = 1\nprint(x)", outputs=[image]),
            nbformat.v4.new_code_cell(
                "raise ValueError('no')",
                outputs=[
                    nbformat.v4.new_output(
                        "error", ename="ValueError", evalue="no", traceback=["no"]
                    )
                ],
            ),
        ]
    )
    for template in ("lab", "classic"):
        ours, _ = FeedbackExporter(template_name=template).from_notebook_node(notebook)
        theirs, _ = HTMLExporter(template_name=template).from_notebook_node(notebook)
        assert visible_text(ours) == visible_text(theirs)
        assert ours.count("<img") == 1 and re.search(r"<img alt=\"No description", ours)
        assert ours.count('tabindex="0"') == theirs.count('tabindex="0"')
    # a second page reuses the compiled templates
    assert FeedbackExporter.compiled.store


def test_a_result_is_reused_only_while_nothing_it_depends_on_changed(
    tmp_path, monkeypatch
):
    """The resume key covers the assignment's source, the nbgrader configuration, the code
    of course_utils and of the grader, and the installed packages' versions."""
    import course_utils
    from course_tools.grading import batch

    source = tmp_path / "solutions" / "x"
    source.mkdir(parents=True)
    (source / "x.ipynb").write_text("{}")
    config = tmp_path / "nbgrader_config.py"
    config.write_text("c = get_config()\n")

    def key() -> str:
        return batch.template_fingerprint(source, config)

    first = key()
    assert key() == first  # nothing changed: reused
    (source / "x.ipynb").write_text('{"changed": 1}')
    second = key()
    assert second != first
    config.write_text("c = get_config()\nc.Execute.timeout = 5\n")
    third = key()
    assert third != second
    assert b"torch==2.13.0" in batch.environment_digest()
    monkeypatch.setattr(batch, "environment_digest", lambda: b"torch==0.0")
    fourth = key()
    assert fourth != third

    # The code: every .py file of course_utils and of the grading package, by name and
    # content.
    hashed = []
    digest = batch.files_digest
    monkeypatch.setattr(
        batch,
        "files_digest",
        lambda *folders, **kw: hashed.extend(folders) or digest(*folders, **kw),
    )
    assert key() == fourth
    assert Path(course_utils.__file__).parent in hashed
    assert Path(batch.__file__).parent in hashed
    code = tmp_path / "code"
    code.mkdir()
    (code / "a.py").write_text("x = 1\n")
    before = digest(code, pattern="*.py")
    (code / "a.py").write_text("x = 2\n")
    changed = digest(code, pattern="*.py")
    (code / "a.py").rename(code / "b.py")
    assert len({before, changed, digest(code, pattern="*.py")}) == 3


@pytest.fixture
def course_copy(tmp_path, monkeypatch):
    """An instructor's second copy of the course: its own solutions of lesson 00 and
    nbgrader_config.py, no course_utils of its own (the installed one serves it)."""
    from course_tools import release

    monkeypatch.setattr(release, "_active_course", None)  # restored after the test
    copy = tmp_path / "my-course"
    (copy / "solutions").mkdir(parents=True)
    shutil.copytree(
        COURSE_ROOT / "solutions" / "00_orientation",
        copy / "solutions" / "00_orientation",
    )
    shutil.copy(COURSE_ROOT / "nbgrader_config.py", copy / "nbgrader_config.py")
    return copy


def test_the_course_is_the_one_where_you_stand(
    course_copy, tmp_path, monkeypatch, capsys
):
    from course_tools.cli import choose_course
    from course_tools.release import course_root, find_course, lesson_ids

    inner = course_copy / "solutions" / "00_orientation"
    assert find_course(inner) == course_copy.resolve()
    assert find_course(tmp_path) is None
    monkeypatch.chdir(tmp_path)
    assert course(["grade", "00_orientation", str(tmp_path)]) == 2
    assert "is not in a course folder" in capsys.readouterr().err
    monkeypatch.chdir(inner)
    assert choose_course(None) is None
    assert course_root() == course_copy.resolve()
    assert lesson_ids() == ["00_orientation"]


def test_a_course_the_installed_package_cannot_grade_is_refused_before_grading(
    course_copy, tmp_path, capsys
):
    shutil.copytree(COURSE_ROOT / "course_utils", course_copy / "course_utils")
    with open(course_copy / "course_utils" / "testing.py", "a") as handle:
        handle.write("\n# changed in this copy\n")
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    code = course(
        ["--root", str(course_copy), "grade", "00_orientation", str(submissions)]
    )
    error = capsys.readouterr().err
    assert code == 2
    assert "differs from the installed one" in error and "pip install -e" in error
    assert not (course_copy / "build").exists(), "it graded before refusing"


def test_course_grade_grades_the_course_where_it_runs(
    course_copy, tmp_path, monkeypatch
):
    """The copy's own test cells and points count, and its results stay in the copy."""
    require_sandbox()
    source = course_copy / "solutions" / "00_orientation" / "00_orientation.ipynb"
    notebook = nbformat.read(str(source), as_version=4)
    test = next(c for c in notebook.cells if grade_id(c) == "test_softmax_large_values")
    test.metadata.nbgrader["points"] += 3
    nbformat.write(notebook, str(source))
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    nbformat.write(student_notebook("00_orientation"), str(submissions / "alice.ipynb"))
    monkeypatch.chdir(course_copy)
    assert course(["grade", "00_orientation", str(submissions), "--no-progress"]) == 0
    graded = course_copy / "build" / "grading" / "00_orientation" / "grades.csv"
    with open(graded, newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    original = sum(
        c.metadata.nbgrader.get("points", 0)
        for c in student_notebook("00_orientation").cells
        if c.get("metadata", {}).get("nbgrader", {}).get("grade")
        and c.cell_type == "code"
    )
    assert float(row["autograded_max"]) == original + 3
    assert float(row["autograded_score"]) == original + 3
