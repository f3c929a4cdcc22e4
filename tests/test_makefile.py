"""The set-up commands: clear messages for a missing or old Python, and nothing redone on a second run."""

from __future__ import annotations

import shutil
import stat
import subprocess

import pytest

from course_tools.release import COURSE_ROOT

pytestmark = pytest.mark.skipif(
    shutil.which("make") is None, reason="make is not installed"
)


def make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=COURSE_ROOT,
        capture_output=True,
        text=True,
    )


def test_missing_python_is_named():
    result = make("check-python", "PYTHON=python-that-does-not-exist")
    assert result.returncode != 0
    assert "python-that-does-not-exist' was not found" in result.stdout + result.stderr


def test_old_python_gets_a_message_not_a_traceback(tmp_path):
    fake = tmp_path / "python3.8"
    fake.write_text(
        '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "Python 3.8.10"; exit 0; fi\nexit 1\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    result = make("check-python", f"PYTHON={fake}")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "needs Python 3.10 or newer" in output and "Python 3.8.10" in output
    assert "Traceback" not in output


def test_second_setup_has_nothing_to_do():
    if not (COURSE_ROOT / ".venv" / ".installed").exists():
        pytest.skip("the course environment was not made by `make setup`")
    assert make("-q", "setup").returncode == 0, (
        "`make setup` would reinstall although nothing changed"
    )


def test_lab_passes_allow_root_only_as_root():
    import os

    result = make("-n", "lab")
    command = [line for line in result.stdout.splitlines() if "jupyter lab" in line]
    assert command, result.stdout + result.stderr
    if os.geteuid() == 0:
        assert "--allow-root" in command[0]
        assert "warning: running as root" in result.stdout
    else:
        assert "--allow-root" not in command[0]
