"""Test-suite settings: keep Jupyter, IPython and matplotlib out of the home directory,
and print how long each lesson notebook took at the end of the run."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import pytest

# Before anything starts a kernel: every Jupyter, IPython and matplotlib file goes to a
# throwaway folder, never the user's home.
_SCRATCH = Path(tempfile.mkdtemp(prefix="course-tests-home-"))
for variable, sub in [
    ("HOME", "home"),
    ("JUPYTER_CONFIG_DIR", "jupyter/config"),
    ("JUPYTER_DATA_DIR", "jupyter/data"),
    ("JUPYTER_RUNTIME_DIR", "jupyter/runtime"),
    ("IPYTHONDIR", "ipython"),
    ("MPLCONFIGDIR", "matplotlib"),
]:
    folder = _SCRATCH / sub
    folder.mkdir(parents=True, exist_ok=True)
    os.environ[variable] = str(folder)
os.environ["JUPYTER_PLATFORM_DIRS"] = "1"
# Under pytest-xdist (`make test`: one process more than the cores) each test process,
# and every kernel it starts, computes on its share of the cores. With a thread per core
# in every process, each small parallel operation waits for a thread the scheduler has
# put aside: lesson 07's quick run took 652 s of wall time for 55 s of CPU that way.
_WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
if _WORKERS > 1:
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(variable, str(max(1, (os.cpu_count() or 1) // _WORKERS)))
os.environ["MPLBACKEND"] = "Agg"
os.environ.pop("COURSE_QUICK", None)
os.environ.pop("NBGRADER_EXECUTION", None)
# nbgrader and kernels must come from this environment.
os.environ["PATH"] = (
    str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
)

sys.path.insert(0, str(Path(__file__).resolve().parent))

NOTEBOOK_TIMES: dict[str, dict[str, float]] = {}


def missing_system_component(reason: str, install: str) -> None:
    """Skip a test that needs a system component this machine lacks; under CI=true, fail it.

    CI installs every component the suite needs (.ci/run), so a skip there would hide a
    missing install step behind a green run.
    """
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(
            f"{reason}. CI=true: this test must run here ({install}).", pytrace=False
        )
    pytest.skip(f"{reason} ({install}).")


def require_sandbox() -> None:
    """The grading sandbox (bubblewrap), or skip (fail under CI)."""
    from course_tools.grading.sandbox import SandboxUnavailable, check_sandbox

    try:
        check_sandbox()
    except SandboxUnavailable as error:
        missing_system_component(
            f"no grading sandbox: {error}", "`apt-get install bubblewrap`"
        )


def ipc_kernel(kernel_name: str):
    """A kernel manager whose kernel talks over ZMQ ipc sockets in the runtime folder.

    Over TCP, the client picks free ports and the kernel binds them later; with many
    kernels starting at once another process can take one in between ("Address already
    in use", then "Kernel didn't respond"). Sockets named by file cannot collide so.
    """
    import uuid

    from jupyter_client.manager import KernelManager

    # An absolute path: the kernel starts in the notebook's folder, not this one.
    sockets = Path(os.environ["JUPYTER_RUNTIME_DIR"]) / f"ipc-{uuid.uuid4().hex[:12]}"
    return KernelManager(kernel_name=kernel_name, transport="ipc", ip=str(sockets))


def record_time(lesson: str, what: str, seconds: float) -> None:
    """Remember how long one lesson step took, for the table printed at the end."""
    NOTEBOOK_TIMES.setdefault(lesson, {})[what] = seconds


def work_unit(nodeid: str) -> str:
    """The tests that must share one process under `make test`'s pytest-xdist workers:
    they share what was computed once (a lesson's graded catalogue, the hostile batch,
    the lock's dry runs, the sandbox's test user, one JupyterLab server and browser).
    Every other test is a unit of its own."""
    path, _, name = nodeid.partition("::")
    if path == "tests/test_roundtrip.py" and "[" in name:
        return "roundtrip " + name[name.index("[") :]  # one lesson's round trip
    if path in {
        "tests/test_grading_hostile.py",
        "tests/test_lock.py",
        "tests/test_sandbox.py",
    }:
        return path
    if path.startswith("tests/browser/"):
        return path
    return nodeid


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """A lesson whose browser test is selected (and can run) runs in full there, not
    headless as well (tests/full_run.py). trylast: after `-m` and `-k` deselected."""
    from full_run import run_in_browser_instead

    skipped = run_in_browser_instead(items)
    for item in items:
        if item.nodeid in skipped:
            item.add_marker(pytest.mark.skip(reason=skipped[item.nodeid]))


# Single tests that take minutes: they start before every unit of several tests, which
# pytest-xdist would otherwise start first, so that none of them is left to run alone at
# the end (the hub round: about 2 minutes of one process).
STARTS_FIRST = ("tests/hub/test_hub.py::test_a_class_round_on_the_hub",)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadgroup` with the units of work_unit(): STARTS_FIRST, then the units with
    the most tests, start first.

    (The units are told by node id here because pytest-xdist 3.8's own `xdist_group`
    marks do not group anything under pytest 9.2: pytest-xdist issue 1386.)
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedWorkScheduling(LoadScopeScheduling):
        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

        def _assign_work_unit(self, node) -> None:
            if not self.ordered:  # the queue is complete before the first assignment
                self.ordered = True
                for unit in reversed(STARTS_FIRST):
                    if unit in self.workqueue:
                        self.workqueue.move_to_end(unit, last=False)
            super()._assign_work_unit(node)

    return SharedWorkScheduling(config, log)


def pytest_sessionfinish(session):
    """In a pytest-xdist worker: hand the times it recorded to the controlling process."""
    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["lesson_times"] = json.dumps(NOTEBOOK_TIMES)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """In the controlling process: gather the times a finished worker recorded."""
    recorded = json.loads(getattr(node, "workeroutput", {}).get("lesson_times", "{}"))
    for lesson, times in recorded.items():
        NOTEBOOK_TIMES.setdefault(lesson, {}).update(times)


def pytest_terminal_summary(terminalreporter):
    if not NOTEBOOK_TIMES:
        return
    columns = sorted({what for times in NOTEBOOK_TIMES.values() for what in times})
    terminalreporter.section("time per lesson (seconds)")
    terminalreporter.write_line(f"{'lesson':32}" + "".join(f"{c:>22}" for c in columns))
    for lesson in sorted(NOTEBOOK_TIMES):
        row = NOTEBOOK_TIMES[lesson]
        terminalreporter.write_line(
            f"{lesson:32}"
            + "".join(f"{row.get(c, float('nan')):>22.1f}" for c in columns)
        )
    out = Path(__file__).resolve().parent.parent / "build" / "lesson_times.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(NOTEBOOK_TIMES, indent=2, sort_keys=True))
