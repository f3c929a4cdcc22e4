"""Fixtures of the browser tests: one JupyterLab server and one headless Chromium per run.

- `lab_server`: JupyterLab on a free port of 127.0.0.1, no token, serving a scratch copy of
  the course, with its settings, workspaces, runtime files and HOME in a temporary folder
  and the lessons' kernels running them in full (tests/full_run.py: SHORTENED lessons
  in the quick kernel), their figures recorded for the figure audit.
- `lab`: a fresh page for one test, after every kernel and session of the server has been
  shut down.
- `exchange`: the course's released lessons in a scratch nbgrader exchange, for the
  instructor's and the student's assignment views.

Without Chromium (`apt-get install chromium`) or Playwright the tests are skipped, with the
reason, except under CI=true, where a missing browser fails them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import missing_system_component
from full_run import SHORTENED

from course_tools.release import COURSE_ROOT

from .labdriver import (
    CHROMIUM_ARGS,
    QUICK_KERNEL,
    VIEWPORT,
    LabPage,
    LabServer,
    copy_course,
    find_chromium,
)

SCREENSHOTS = COURSE_ROOT / "build" / "screenshots"


def _unavailable(reason: str):
    missing_system_component(
        f"{reason}: the browser tests need it", "`apt-get install chromium`"
    )


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        _unavailable(
            f"Chromium was not found at {os.environ.get('COURSE_CHROMIUM', '/usr/bin/chromium')}"
        )
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
    except Exception as error:  # noqa: BLE001 - a browser that does not start is the same as none
        playwright.stop()
        _unavailable(
            f"Chromium at {chromium_path} did not start ({str(error).splitlines()[0]})"
        )
    # One context for the run: JupyterLab's scripts are fetched once and cached.
    context = chromium.new_context(viewport=VIEWPORT)
    context.set_default_timeout(60_000)
    yield context
    context.close()
    chromium.close()
    playwright.stop()


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory, chromium_path):
    scratch = tmp_path_factory.mktemp("jupyterlab")
    course = copy_course(COURSE_ROOT, scratch / "course")
    for lesson in SHORTENED:  # run in the kernel with SHORTENED_ENV
        path = course / "solutions" / lesson / f"{lesson}.ipynb"
        notebook = json.loads(path.read_text())
        notebook["metadata"]["kernelspec"] = {
            "name": QUICK_KERNEL,
            "display_name": "Python 3 (shortened runs)",
            "language": "python",
        }
        path.write_text(json.dumps(notebook, indent=1))
    server = LabServer(course, scratch / "state")
    env = server.environment()
    # The nbgrader exchange of this run (the course's own nbgrader_config.py names the course).
    exchange = scratch / "exchange"
    exchange.mkdir()
    Path(env["JUPYTER_CONFIG_DIR"], "nbgrader_config.py").write_text(
        f"c = get_config()  # noqa: F821\nc.Exchange.root = {str(exchange)!r}\n"
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def exchange(lab_server) -> list[str]:
    """Release every lesson of the release folder into the run's exchange; returns their ids."""
    released = sorted(
        p.parent.name
        for p in (lab_server.course_root / "notebooks").glob("*/*.ipynb")
        if p.stem == p.parent.name
    )
    script = textwrap.dedent("""
        import sys
        from nbgrader.apps import NbGraderAPI
        from nbgrader.apps.baseapp import NbGrader
        app = NbGrader()
        app.load_config_file()
        api = NbGraderAPI(config=app.config)
        for lesson in sys.argv[1:]:
            result = api.release_assignment(lesson)
            if not result["success"]:
                sys.exit(f"release of {lesson} failed: {result.get('error') or result.get('log')}")
    """)
    result = subprocess.run(
        [sys.executable, "-c", script, *released],
        cwd=lab_server.course_root,
        env=lab_server.environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (
        f"nbgrader could not release the lessons:\n{result.stdout}\n{result.stderr}"
    )
    return released


@pytest.fixture(scope="session")
def lab_page(browser, lab_server):
    """One JupyterLab page for the run: loading JupyterLab once saves seconds per test."""
    driver = LabPage(browser.new_page(), lab_server)
    yield driver
    driver.page.close()


@pytest.fixture
def lab(lab_page, lab_server):
    """The JupyterLab page, with every tab closed and every kernel and session shut down first."""
    if lab_page.page.is_closed():  # a crashed page is replaced
        lab_page.__init__(lab_page.page.context.new_page(), lab_server)
    lab_page.close_all()
    lab_server.reset()
    return lab_page


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
