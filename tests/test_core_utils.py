"""Unit tests of the foundation modules: runtime, doctor, authoring, release, plotting."""

from __future__ import annotations

import random
import subprocess
import sys

import matplotlib
import nbformat
import numpy as np
import pytest
import torch

from course_tools import authoring
from course_tools.release import COURSE_ROOT, lesson_ids, release
from course_utils import doctor, plotting, runtime

matplotlib.use("Agg")


def test_quick_mode_follows_grader_and_course_variables(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("COURSE_QUICK", raising=False)
    assert runtime.quick_mode() is False
    monkeypatch.setenv("COURSE_QUICK", "1")
    assert runtime.quick_mode() is True
    monkeypatch.setenv("COURSE_QUICK", "0")
    assert runtime.quick_mode() is False
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert runtime.quick_mode() is True


def test_pick_device_defaults_to_the_fastest_and_rejects_missing(monkeypatch):
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    assert runtime.pick_device().type == runtime.available_devices()[0]
    assert runtime.pick_device("cpu") == torch.device("cpu")
    if "cuda" not in runtime.available_devices():
        with pytest.raises(ValueError, match="only"):
            runtime.pick_device("cuda")


def test_seed_everything_repeats_all_generators():
    def draw():
        return random.random(), float(np.random.rand()), float(torch.rand(1))

    runtime.seed_everything(3)
    first = draw()
    runtime.seed_everything(3)
    assert draw() == first


def test_describe_device_names_the_cpu():
    assert runtime.describe_device("cpu").startswith("cpu (")


def test_doctor_passes_here_and_prints_one_line_per_check():
    result = subprocess.run(
        [sys.executable, "-m", "course_utils.doctor"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert len(lines) == len(doctor.run_checks())
    assert all(line.startswith(("[OK]", "[FAIL]")) for line in lines)


def test_doctor_fails_with_a_fix_for_a_wrong_pin(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("numpy==0.0.1\n")
    check = doctor.check_package("numpy", doctor.locked_versions(lock))
    assert not check.ok and "0.0.1" in check.detail and "make" in check.fix
    assert "fix:" in check.line()
    missing = doctor.check_package("surely-not-installed-package", {})
    assert not missing.ok and missing.fix


def test_doctor_in_colab_checks_no_jupyterlab_nor_nbgrader(monkeypatch):
    """Colab runs the lessons in its own notebook: no [FAIL] for what only the course's
    JupyterLab needs, and one line that says where the lessons run."""
    monkeypatch.setattr(doctor, "in_colab", lambda: True)
    names = [check.name for check in doctor.run_checks()]
    assert not doctor.LAB_PACKAGES & set(names)
    assert not [name for name in names if "JupyterLab" in name or "nbgrader" in name]
    assert names[-1] == "Notebook" and "torch" in names
    monkeypatch.setattr(doctor, "in_colab", lambda: False)
    assert doctor.LAB_PACKAGES <= {check.name for check in doctor.run_checks()}


def test_locked_versions_choose_the_marker_for_the_python(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text(
        'a==1\nb==2 ; python_version >= "3.11"\nb==1 ; python_version < "3.11"\n'
    )
    assert doctor.locked_versions(lock, python=(3, 12)) == {"a": "1", "b": "2"}
    assert doctor.locked_versions(lock, python=(3, 10)) == {"a": "1", "b": "1"}


def test_authoring_parses_every_cell_kind():
    text = (
        "# %% [markdown]\n# # Title\n#\n# prose\n\n"
        "# %%\nx = 1\n\n"
        "# %% [code readonly] id=setup\nimport torch\n\n"
        "# %% [solution] id=f\ndef f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n\n"
        "# %% [test] id=test_f points=2\n# Test: f returns 1\nassert f() == 1\n\n"
        "# %% [answer] id=why points=1\n# Because.\n"
    )
    notebook = authoring.parse(text)
    kinds = [authoring.cell_kind(c) for c in notebook.cells]
    assert kinds == [
        ("markdown", False),
        ("code", False),
        ("code", True),
        ("solution", False),
        ("test", False),
        ("answer", False),
    ]
    assert notebook.cells[0].source == "# Title\n\nprose"
    assert notebook.cells[4].metadata.nbgrader == {
        "grade": True,
        "grade_id": "test_f",
        "locked": True,
        "points": 2,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    assert notebook.metadata.kernelspec["name"] == "python3"
    nbformat.validate(notebook)
    assert authoring.render(notebook) == text


@pytest.mark.parametrize(
    "bad, message",
    [
        ("# %% [test] id=t\nassert True\n", "points"),
        ("# %% [solution]\nx = 1\n", "id="),
        ("# %% [markdown]\nno prefix\n", "prefix"),
        ("# %% [code readonly] id=a colour=red\nx = 1\n", "unknown option"),
        ("stray text\n# %%\nx = 1\n", "before the first"),
    ],
)
def test_authoring_rejects_malformed_text(bad, message):
    with pytest.raises(ValueError, match=message):
        authoring.parse(bad)


def test_release_rejects_an_unknown_lesson():
    with pytest.raises(ValueError, match="no lesson"):
        release(["99_nothing"])


def test_lesson_ids_lists_the_solutions():
    assert "00_orientation" in lesson_ids()
    assert all(
        (COURSE_ROOT / "solutions" / i / f"{i}.ipynb").exists() for i in lesson_ids()
    )


def test_attention_heatmap_labels_axes_and_rejects_wrong_rank():
    ax = plotting.attention_heatmap(
        torch.softmax(torch.randn(3, 4), -1), ["a", "b", "c"], list("wxyz")
    )
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    with pytest.raises(ValueError, match="2-D"):
        plotting.attention_heatmap(torch.rand(2, 3, 4))
    matplotlib.pyplot.close("all")


def test_a_failed_check_shows_the_test_line_and_hint_not_the_checker_internals():
    from course_utils import testing

    cell = (
        "import torch\n"
        "weights = torch.full((2, 3), 0.5)\n"
        "expect_close(weights.sum(-1), torch.ones(2), name='row sums', hint='softmax over dim=-1?')\n"
    )
    namespace = {"expect_close": testing.expect_close}
    with pytest.raises(testing.CheckFailed) as failure:
        exec(compile(cell, "<test cell>", "exec"), namespace)
    assert str(failure.value).splitlines()[-1] == "Hint: softmax over dim=-1?"
    shown = "\n".join(failure.value._render_traceback_())
    assert "this cell, line 3" in shown
    assert "row sums differs from the reference by up to 0.5" in shown
    assert "testing.py" not in shown and "_item(" not in shown


@pytest.mark.parametrize(
    "capability, wanted",
    [((7, 5), torch.float16), ((8, 0), torch.bfloat16), ((9, 0), torch.bfloat16)],
)
def test_mixed_precision_reads_the_compute_capability(monkeypatch, capability, wanted):
    """bfloat16 only at capability 8.0 and newer, even where bf16 is emulated (a T4)."""
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda *_: capability)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *_, **__: True)
    assert runtime.mixed_precision_dtype("cuda") is wanted
    assert runtime.mixed_precision_dtype(torch.device("cuda", 0)) is wanted
    assert runtime.mixed_precision_dtype("cpu") is None
    assert runtime.mixed_precision_dtype("mps") is None
