"""The nbgrader round trip, for any lesson: build submissions, autograde them, read the scores.

A lesson needs nothing here to be tested: its notebook in solutions/<id>/ and its
catalogue of plausible mistakes in tests/mistakes/<id>/ are enough. Each mistake is one
file, the full source of one solution cell as a student might get it wrong:

    # replaces: softmax
    # mistake: no max subtraction, so large inputs overflow to inf and give NaN
    def softmax(x, dim=-1):
        return torch.exp(x) / torch.exp(x).sum(dim=dim, keepdim=True)

Submissions are graded by nbgrader's own autograde in temporary copies of the course, or,
for the long catalogues, by a forked grader that scores exactly as nbgrader does (below).
"""

from __future__ import annotations

import atexit
import copy
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course_tools.release import COURSE_ROOT

CATALOGUES = Path(__file__).resolve().parent
MISTAKES_DIR = CATALOGUES / "mistakes"
ALTERNATIVES_DIR = CATALOGUES / "alternatives"
SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")
KINDS = {"mistake": MISTAKES_DIR, "alternative": ALTERNATIVES_DIR}
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


@dataclass(frozen=True)
class Variant:
    """Another answer to one solution cell: a plausible mistake, or a correct alternative.

    One file each, in tests/mistakes/<lesson>/ or tests/alternatives/<lesson>/, headed by

        # replaces: <grade_id of the solution cell>
        # mistake: <what is wrong>          (or)   # alternative: <how it differs>

    and holding the cell's whole new source.
    """

    name: str
    kind: str  # "mistake" or "alternative"
    replaces: str  # grade_id of the solution cell
    description: str
    source: str

    @classmethod
    def from_file(cls, path: Path, kind: str) -> Variant:
        text = path.read_text()
        replaces = re.search(r"^# replaces: (\S+)\s*$", text, re.M)
        description = re.search(rf"^# {kind}: (.+)$", text, re.M)
        if not replaces or not description:
            raise ValueError(
                f"{path}: needs '# replaces: <grade_id>' and '# {kind}: <description>' lines"
            )
        return cls(
            path.stem, kind, replaces.group(1), description.group(1).strip(), text
        )


def load_variants(lesson: str, kind: str) -> list[Variant]:
    """The catalogue of one kind ("mistake" or "alternative") for a lesson, sorted by name."""
    return [
        Variant.from_file(p, kind) for p in sorted((KINDS[kind] / lesson).glob("*.py"))
    ]


def load_mistakes(lesson: str) -> list[Variant]:
    return load_variants(lesson, "mistake")


def load_alternatives(lesson: str) -> list[Variant]:
    return load_variants(lesson, "alternative")


def source_notebook(lesson: str, root: Path = COURSE_ROOT):
    return _read_copy(root / "solutions" / lesson / f"{lesson}.ipynb")


def release_notebook(lesson: str, root: Path = COURSE_ROOT):
    return _read_copy(root / "notebooks" / lesson / f"{lesson}.ipynb")


def _read_copy(path: Path):
    """A fresh copy of a notebook, read and validated once per version of the file (a
    catalogue of dozens of submissions reads the same two notebooks for each)."""
    stat = path.stat()
    return copy.deepcopy(_read(str(path), stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=64)
def _read(path: str, mtime_ns: int, size: int):
    return nbformat.read(path, as_version=4)


def without_markers(source: str) -> str:
    """A solution cell as a student who solved it would leave it: the ### markers gone."""
    return "\n".join(
        line for line in source.split("\n") if not SOLUTION_MARKERS.match(line)
    )


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def student_notebook(
    lesson: str,
    replacements: dict[str, str | None] | None = None,
    solved: bool = True,
):
    """The release notebook with every solution cell answered as the solutions do, except `replacements`.

    A replacement of None leaves that cell as the release has it (not attempted);
    solved=False leaves the whole release untouched (what a student who did nothing hands in).
    """
    notebook = release_notebook(lesson)
    if not solved:
        return notebook
    answers = {
        grade_id(c): without_markers(c.source)
        for c in source_notebook(lesson).cells
        if c.get("metadata", {}).get("nbgrader", {}).get("solution")
    }
    replacements = replacements or {}
    unknown = set(replacements) - set(answers)
    if unknown:
        raise ValueError(
            f"{lesson}: no solution cell with grade_id {sorted(unknown)}; cells: {sorted(answers)}"
        )
    for cell in notebook.cells:
        if grade_id(cell) in answers:
            chosen = replacements.get(grade_id(cell), answers[grade_id(cell)])
            if chosen is not None:
                cell.source = chosen
    return notebook


def autograde(
    lesson: str, submissions: dict[str, object]
) -> dict[str, dict[str, tuple]]:
    """Autograde every submission with nbgrader; {student: {test grade_id: (score, max_score)}}.

    nbgrader's own generate_assignment and autograde, through its Python API in this process
    (one kernel per submission, as `nbgrader autograde` runs them), in a throwaway course.
    """
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    from course_tools.release import NBGRADER_API_LOCK, checked, nbgrader_api

    with (
        tempfile.TemporaryDirectory(prefix=f"roundtrip-{lesson}-") as scratch,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", SAWarning)  # nbgrader's own session bookkeeping
        workdir = Path(scratch)
        shutil.copytree(
            COURSE_ROOT / "solutions" / lesson, workdir / "solutions" / lesson
        )
        for student, notebook in submissions.items():
            target = workdir / "submitted" / student / lesson / f"{lesson}.ipynb"
            target.parent.mkdir(parents=True)
            nbformat.write(notebook, str(target))
        db_url = f"sqlite:///{workdir / 'gradebook.db'}"
        api = nbgrader_api(workdir, db_url, release_directory=str(workdir / "release"))
        with NBGRADER_API_LOCK:  # one in-process nbgrader call at a time
            checked(
                api.generate_assignment(lesson, force=True, create=True),
                f"generate_assignment {lesson}",
            )
        for student in submissions:
            with NBGRADER_API_LOCK:
                checked(
                    api.autograde(lesson, student, force=True, create=True),
                    f"autograde {lesson} {student}",
                )
        scores: dict[str, dict[str, tuple]] = {}
        with Gradebook(db_url) as gradebook:
            for student in submissions:
                notebook = gradebook.find_submission_notebook(lesson, lesson, student)
                scores[student] = {
                    g.name: (g.auto_score, g.max_score)
                    for g in notebook.grades
                    if g.cell.cell_type == "code"
                }
    return scores


# ---------------------------------------------------------------------------------------
# The catalogues are long (hundreds of submissions over the course), and an nbgrader run
# pays a kernel start, the lesson's imports and every cell before the changed one for each
# submission. `grade_forked` grades the same submission notebooks the way nbgrader does
# (test cells restored from the source with their hidden tests, NBGRADER_EXECUTION set,
# stderr matching nbgrader_config's IgnorePattern dropped, nbgrader's own determine_grade
# on the outputs) in one process that runs the cells submissions share once and forks
# where they differ (tests/forked_grading.py), and stops after the last test cell (the
# demonstrations that follow cannot change a score). tests/test_roundtrip.py checks that
# it gives exactly nbgrader's scores on the submissions that both grade.
# ---------------------------------------------------------------------------------------


def _nbgrader_setting(section: str, name: str):
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(
        "nbgrader_config.py", path=str(COURSE_ROOT)
    ).load_config()
    return config[section][name]


def graded_notebook(lesson: str, submission):
    """The submission as nbgrader's autograde sees it: locked and test cells taken from the source."""
    source_cells = {
        grade_id(c): c for c in source_notebook(lesson).cells if grade_id(c)
    }
    notebook = nbformat.from_dict(submission)
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("locked") or (meta.get("grade") and not meta.get("solution")):
            cell.source = source_cells[meta["grade_id"]].source
    return notebook


# The environment of a forked grading: nbgrader's variable, and one thread per process (a
# process that forks after running PyTorch on several threads may hang in the child).
GRADING_ENV = {
    "NBGRADER_EXECUTION": "autograde",
    **dict.fromkeys(THREAD_VARIABLES, "1"),
}


class GradingServer:
    """`tests/forked_grading.py --serve`, started once per test process: it has imported
    what a grading needs, and forks one child per lesson from that state."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(CATALOGUES / "forked_grading.py"), "--serve"],
            cwd=tempfile.gettempdir(),
            env={**os.environ, **GRADING_ENV},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,  # no buffer: what the selector sees is all there is to read
            start_new_session=True,  # killpg stops it and every grading under it
        )

    def grade(self, request: dict, timeout: float) -> int:
        """Send one lesson's request; its grading's exit status (the server's, if it died)."""
        import selectors

        data = memoryview((json.dumps(request) + "\n").encode())
        while data:  # an unbuffered write may take part of it
            data = data[self.process.stdin.write(data) :]
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            # Answers to requests given up on (a test timed out) are skipped.
            while True:
                if not selector.select(max(0.0, deadline - time.monotonic())):
                    self.stop()
                    raise TimeoutError(f"a forked grading ran past {timeout:.0f} s")
                answer = self.process.stdout.readline()
                if not answer:  # the server died
                    return self.process.wait()
                scores, status = json.loads(answer)
                if scores == request["scores"]:
                    return status

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()


_SERVERS: list[GradingServer] = []  # this process's, the last one alive


def _grading_server() -> GradingServer:
    if not _SERVERS or _SERVERS[-1].process.poll() is not None:
        _SERVERS.append(GradingServer())
        atexit.register(_SERVERS[-1].stop)
    return _SERVERS[-1]


def _is_test(cell) -> bool:
    """An autograded test cell: graded, not a solution."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return (
        cell.cell_type == "code"
        and bool(meta.get("grade"))
        and not meta.get("solution")
    )


def grade_forked(
    lesson: str,
    submissions: dict[str, object],
    stop_at_loss: set[str] = frozenset(),
) -> dict[str, dict]:
    """{student: {test grade_id: (score, max)}}, graded in one process that runs shared
    cells once and forks where submissions differ (tests/forked_grading.py). What a
    child imports, its parent imports before the next fork, so that no later child
    imports it again. The process is a child of this test process's GradingServer.
    """
    timeout = float(_nbgrader_setting("Execute", "timeout") or 120)
    ignore = _nbgrader_setting("IgnorePattern", "pattern")
    names = sorted(submissions)
    notebooks = [graded_notebook(lesson, submissions[name]) for name in names]
    layout = [(c.cell_type, grade_id(c)) for c in notebooks[0].cells]
    for name, notebook in zip(names, notebooks, strict=True):
        found = [(c.cell_type, grade_id(c)) for c in notebook.cells]
        if found != layout:
            raise ValueError(f"{lesson}: {name} does not have the release's cells")
    tests = [i for i, c in enumerate(notebooks[0].cells) if _is_test(c)]
    cells = [
        {
            "grade_id": grade_id(cell),
            "points": float(cell.metadata.nbgrader["points"])
            if _is_test(cell)
            else None,
            "sources": [notebook.cells[index].source for notebook in notebooks],
        }
        for index, cell in enumerate(
            notebooks[0].cells[: tests[-1] + 1 if tests else 0]
        )
        if cell.cell_type == "code"
    ]
    plan = {
        "names": names,
        "cells": cells,
        "stop_at_loss": sorted(stop_at_loss),
        "run": [timeout, ignore],
    }
    with tempfile.TemporaryDirectory(prefix=f"forked-{lesson}-") as scratch:
        workdir = Path(scratch) / lesson
        shutil.copytree(COURSE_ROOT / "notebooks" / lesson, workdir)
        plan_path, scores_path = Path(scratch) / "plan.json", Path(scratch) / "scores"
        plan_path.write_text(json.dumps(plan))
        scores_path.touch()
        log = Path(scratch) / "stderr.log"
        status = _grading_server().grade(
            {
                "plan": str(plan_path),
                "scores": str(scores_path),
                "cwd": str(workdir),
                "env": {**os.environ, **GRADING_ENV},
                "log": str(log),
            },
            timeout=timeout * len(cells) * len(names),
        )
        if status != 0:
            raise RuntimeError(
                f"{lesson}: the forked grading stopped ({status}):\n"
                + (
                    log.read_text(errors="replace")[-3000:]
                    if log.exists()
                    else "the grading server ended before it forked; run "
                    "`python tests/forked_grading.py --serve` to see why"
                )
            )
        results: dict[str, dict] = {name: {} for name in names}
        for line in scores_path.read_text().splitlines():
            row = json.loads(line)
            results[row["submission"]][row["cell"]] = (row["score"], row["max"])
    return results
