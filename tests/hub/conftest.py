"""Fixtures of the hub tests: a folder every user can read, system users, their Python."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from browser.labdriver import find_chromium
from conftest import missing_system_component

from hub.hubdriver import PROXY, SystemUsers, readable_environment


def requirements() -> str | None:
    """Why this machine cannot run a hub, or None."""
    if os.geteuid() != 0:
        return "the hub test must run as root: it creates system users"
    for tool in ("useradd", "userdel", "chpasswd", "runuser"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if find_chromium() is None:
        return "Chromium is not installed (`apt-get install chromium`)"
    if not PROXY.exists():
        return f"configurable-http-proxy is not installed at {PROXY} (`make hub-setup`)"
    try:
        import jupyterhub  # noqa: F401
    except ImportError:
        return "JupyterHub is not installed (`make hub-setup`)"
    return None


@pytest.fixture
def machine():
    """A folder of /tmp every user can read, with the hub's users and their Python."""
    reason = requirements()
    if reason:
        missing_system_component(reason, "`make hub-setup`, as root")
    root = Path(tempfile.mkdtemp(prefix="course-hub-"))
    root.chmod(0o755)
    homes = root / "home"
    homes.mkdir(mode=0o755)
    users = SystemUsers(homes)
    try:
        python = readable_environment(root / "python")
        yield root, users, python
    finally:
        problems = users.remove_all()
        shutil.rmtree(root, ignore_errors=True)
        assert not problems, problems
