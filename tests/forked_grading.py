"""Grade many submissions of one lesson by forking after what they share (tests only).

A lesson's catalogue holds dozens of submissions that differ from the solution in one
cell. Run one after another, each pays again for every cell before the one it changed:
the imports, the data, the demonstrations. Here one Python process runs the cells that
all remaining submissions share once, and at the first cell where they differ it forks:
a child process carries on with each other version of that cell, from exactly the state
the shared cells left, while the parent goes on with the largest group. Each child is
waited for before the next starts, so a grading uses one core.

The cells run in an IPython shell set up as a kernel sets up its own: the notebook's
directory as the working folder, NBGRADER_EXECUTION set, matplotlib's inline backend
(figures closed after each cell), no history file. A cell's outputs are what nbgrader's
`determine_grade` reads: an error, text on stderr (less what nbgrader_config's
IgnorePattern drops, write by write), and the value of its last expression. Only the test
cells draw the figures they show: no other cell's outputs count.
tests/test_roundtrip.py checks that the scores equal nbgrader's on the submissions
that both grade.

    python tests/forked_grading.py <plan.json> <scores.jsonl>
    python tests/forked_grading.py --serve

The second form grades lesson after lesson for one test process (roundtrip.grade_forked
starts one per process): it imports what every grading needs once (nbgrader, PyTorch,
IPython, matplotlib: over 5 s of CPU), then, for each request it reads on stdin, forks
a child that grades one lesson from that state, and answers with the request's scores path
and the child's exit status.

Each child, as it exits, reports the modules it imported and the course's caches it
filled (the argument-free functions of course_utils under functools.lru_cache, such as
the pretrained weights and the reference pipeline of lesson 09), with what its own
children reported; its parent imports the same modules and fills the same caches before
its next fork, or, forking no more, hands them on. Later children start with them, and no
submission is run just to find them.

The plan holds, for each code cell up to the last test cell, its grade_id, whether it is
a test with its points, and its source in each submission. Each scored test cell adds
a line {"submission", "cell", "score", "max"} to the scores file as soon as it is known,
so a process that dies (a submission calling os._exit) loses only what came after.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import io
import json
import os
import re
import signal
import sys
import time
import traceback

from nbformat.v4 import new_code_cell, new_output

# Imported before any fork (it takes seconds), so that no child pays for it again.
from nbgrader.utils import determine_grade


class _Writes(io.TextIOBase):
    """A stream that keeps each write apart (IgnorePattern drops warnings one by one)."""

    def __init__(self) -> None:
        self.chunks: list[str] = []

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.chunks.append(text)
        return len(text)


class _CellTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _CellTimeout("cell timed out")


def make_shell():
    """An IPython shell configured as a Jupyter kernel configures its own."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class KernelLikeShell(InteractiveShell):
        def enable_gui(self, gui=None):
            """The inline backend needs no event loop (a kernel's does nothing either)."""

    config = Config()
    config.HistoryManager.enabled = False
    # tqdm.auto and other libraries ask the shell's configuration whether they run in a
    # kernel (its IPKernelApp section) and then draw widgets instead of writing to stderr.
    config.IPKernelApp.connection_file = ""
    shell = KernelLikeShell.instance(config=config)
    shell.enable_matplotlib("inline")  # closes each cell's figures, as the kernel does
    return shell


def run_cell(
    shell, source: str, timeout: float, ignore: str | None, graded: bool = True
) -> dict:
    """Run one cell; {"error": bool, "stderr": bool, "value": text/plain or None}.

    Figures that an ungraded cell shows are not drawn: a score reads only the test cells'
    outputs, and drawing the lessons' figures took over half the time of a grading.
    """
    shell.display_formatter.formatters["image/png"].enabled = graded
    out, err = _Writes(), _Writes()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        result = shell.run_cell(source, store_history=True)
    except _CellTimeout:  # raised outside the cell's own code
        result = None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        sys.stdout, sys.stderr = saved
    stderr = [
        chunk
        for chunk in err.chunks
        if chunk.strip() and not (ignore and re.search(ignore, chunk))
    ]
    value = None
    if result is not None and result.result is not None:
        data, _ = shell.display_formatter.format(result.result)
        value = data.get("text/plain")
    error = result is None or not result.success
    return {"error": error, "stderr": bool(stderr), "value": value}


def score(outcome: dict, points: float) -> float:
    """nbgrader's determine_grade on a test cell with these outputs."""
    cell = new_code_cell(
        metadata={"nbgrader": {"grade": True, "solution": False, "points": points}}
    )
    if outcome["error"]:
        cell.outputs.append(new_output("error", ename="", evalue="", traceback=[]))
    if outcome["stderr"]:
        cell.outputs.append(new_output("stream", name="stderr", text="stderr"))
    if outcome["value"] is not None:
        cell.outputs.append(
            new_output("execute_result", data={"text/plain": outcome["value"]})
        )
    return determine_grade(cell)[0]


# COURSE_FORKED_PROFILE=FILE: append {"cell", "seconds"} for every cell each process runs,
# to find the cells that the catalogue's forks pay for most often.
PROFILE = os.environ.get("COURSE_FORKED_PROFILE")


def record_cell_time(cell: dict, index: int, seconds: float) -> None:
    first_line = (cell["sources"][0].strip().splitlines() or [""])[0][:60]
    name = cell.get("grade_id") or f"cell {index}: {first_line}"
    with open(PROFILE, "a") as handle:
        handle.write(json.dumps({"cell": name, "seconds": round(seconds, 4)}) + "\n")


def explore(plan: dict, shell, members: list[int], start: int, scores_fd: int) -> None:
    """Run cells from `start` for `members` (submission indices that share every cell
    before it and whose state this process holds); fork where their sources differ."""
    cells, stop = plan["cells"], set(plan["stop_at_loss"])
    for index in range(start, len(cells)):
        cell = cells[index]
        groups: dict[str, list[int]] = {}
        for member in members:
            groups.setdefault(cell["sources"][member], []).append(member)
        ordered = sorted(groups.values(), key=len, reverse=True)
        for other in ordered[1:]:
            in_child(functools.partial(explore, plan, shell, other, index, scores_fd))
        members = ordered[0]
        started = time.perf_counter()
        outcome = run_cell(
            shell,
            cell["sources"][members[0]],
            *plan["run"],
            graded=cell["points"] is not None,
        )
        if PROFILE:
            record_cell_time(cell, index, time.perf_counter() - started)
        if cell["points"] is None:
            continue
        got = score(outcome, cell["points"])
        for member in members:
            line = {
                "submission": plan["names"][member],
                "cell": cell["grade_id"],
                "score": got,
                "max": cell["points"],
            }
            os.write(scores_fd, (json.dumps(line) + "\n").encode())
        if got < cell["points"]:
            members = [m for m in members if plan["names"][m] not in stop]
            if not members:
                return


# Packages whose argument-free cached functions a parent fills once a child has filled
# them: the course's own, whose caches hold what every submission loads the same way.
CACHED_PACKAGES = ("course_utils",)


def _takes_no_arguments(function) -> bool:
    try:
        return not inspect.signature(function).parameters
    except (TypeError, ValueError):  # no signature to read: leave it alone
        return False


def filled_caches() -> list[str]:
    """'module:function' of every argument-free lru_cache'd function of CACHED_PACKAGES
    that holds a value now."""
    found = []
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(
            tuple(CACHED_PACKAGES) + tuple(p + "." for p in CACHED_PACKAGES)
        ):
            continue
        for attribute, value in list(vars(module).items()):
            if (
                isinstance(value, functools._lru_cache_wrapper)
                and getattr(value, "__module__", None) == name
                and value.cache_info().currsize
                and _takes_no_arguments(value)
            ):
                found.append(f"{name}:{attribute}")
    return found


# What this process's children loaded and it has not: loaded just before its next fork,
# or, when it forks no more, handed on to its own parent with the rest of its report.
_PENDING: dict[str, list[str]] = {"modules": [], "caches": []}


def in_child(work) -> None:
    """Run `work` in a forked child and wait for it. The child reports what it loaded;
    this process loads it before its next fork (load_pending)."""
    load_pending()
    sys.stdout.flush()
    sys.stderr.flush()
    before = set(sys.modules)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.close(read)
            work()
        finally:
            try:
                found = {
                    "modules": [m for m in list(sys.modules) if m not in before]
                    + _PENDING["modules"],
                    "caches": filled_caches() + _PENDING["caches"],
                }
                with os.fdopen(write, "w") as pipe:
                    json.dump(found, pipe)
            finally:
                os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:  # read before waiting: a full pipe would block both
        text = pipe.read()
    os.waitpid(child, 0)
    try:
        loaded = json.loads(text)
    except ValueError:  # the child ended before it could say (os._exit in a cell)
        return
    for kind in ("modules", "caches"):
        known = set(_PENDING[kind])
        _PENDING[kind] += [name for name in loaded[kind] if name not in known]


def load_pending() -> None:
    """Load what children reported and this process lacks (load_quietly)."""
    modules = [name for name in _PENDING["modules"] if name not in sys.modules]
    caches = []
    if _PENDING["caches"]:  # filled_caches reads every course module: only when needed
        filled = set(filled_caches())
        caches = [cache for cache in _PENDING["caches"] if cache not in filled]
    _PENDING["modules"], _PENDING["caches"] = [], []
    if modules or caches:
        load_quietly(modules, caches)


def load_quietly(modules: list[str], caches: list[str] = ()) -> None:
    """Import what every child would otherwise import again for itself (libraries that a
    later cell or a test loads on first use), then fill the caches a run fills; a module
    that cannot be imported by name, or a cache that cannot be filled here, is left to
    the cell that needs it."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Writes(), _Writes()
    try:
        for name in modules:
            try:
                importlib.import_module(name)
            except BaseException:  # the cell that needs it will say why
                continue
        for cache in caches:
            module, _, function = cache.partition(":")
            try:
                getattr(importlib.import_module(module), function)()
            except BaseException:  # the cell that needs it will say why
                continue
    finally:
        sys.stdout, sys.stderr = saved


def main(plan_path: str, scores_path: str) -> None:
    with open(plan_path) as file:
        plan = json.load(file)
    scores_fd = os.open(scores_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    shell = make_shell()
    # Every lesson imports PyTorch first (2 s): here, so the first child has it too.
    load_quietly(["torch"])
    explore(plan, shell, list(range(len(plan["names"]))), 0, scores_fd)
    os.close(scores_fd)


def serve() -> None:
    """Read requests, one JSON line each ({"plan", "scores", "cwd", "env", "log"}); grade each
    in a forked child, in `cwd` with exactly `env`, its stdin and stdout /dev/null and its
    stderr written to `log`; answer each with one line: its scores path, then the child's
    exit status (a client that gave up on a request can tell its late answer apart)."""
    import matplotlib.pyplot  # noqa: F401 (what make_shell and every lesson import)
    import matplotlib_inline.backend_inline  # noqa: F401
    from IPython.core.interactiveshell import InteractiveShell  # noqa: F401

    load_quietly(["torch"])
    for line in sys.stdin:
        request = json.loads(line)
        child = os.fork()
        if child == 0:
            grade_in_child(request)
        _, status = os.waitpid(child, 0)
        print(
            json.dumps([request["scores"], os.waitstatus_to_exitcode(status)]),
            flush=True,
        )


def grade_in_child(request: dict) -> None:
    """One lesson's grading (main) as a process of its own would run it; never returns."""
    status = 1
    try:
        null = os.open(os.devnull, os.O_RDWR)
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        for source, target in ((null, 0), (null, 1), (log, 2)):
            os.dup2(source, target)
        sys.stdin = open(os.devnull)  # the requests' pipe stays the server's
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        main(request["plan"], request["scores"])
        status = 0
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stderr.flush()
        os._exit(status)


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
    else:
        main(*sys.argv[1:])
