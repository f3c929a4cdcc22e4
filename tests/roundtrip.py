"""The nbgrader round trip, for any lesson: build submissions, autograde them, read the scores.

A lesson needs nothing here to be tested: its notebook in solutions/<id>/ and its
catalogue of plausible mistakes in tests/mistakes/<id>/ are enough. Each mistake is one
file, the full source of one solution cell as a student might get it wrong:

    # replaces: softmax
    # mistake: no max subtraction, so large inputs overflow to inf and give NaN
    def softmax(x, dim=-1):
        return torch.exp(x) / torch.exp(x).sum(dim=dim, keepdim=True)

Submissions are graded by nbgrader's own autograde in temporary copies of the course, or,
for the long catalogues, in shared kernels that score exactly as nbgrader does (below).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course_tools.release import COURSE_ROOT

CATALOGUES = Path(__file__).resolve().parent
MISTAKES_DIR = CATALOGUES / "mistakes"
ALTERNATIVES_DIR = CATALOGUES / "alternatives"
SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")
KINDS = {"mistake": MISTAKES_DIR, "alternative": ALTERNATIVES_DIR}


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
    return nbformat.read(
        str(root / "solutions" / lesson / f"{lesson}.ipynb"), as_version=4
    )


def release_notebook(lesson: str, root: Path = COURSE_ROOT):
    return nbformat.read(
        str(root / "notebooks" / lesson / f"{lesson}.ipynb"), as_version=4
    )


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

    from course_tools.release import checked, nbgrader_api

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
        checked(
            api.generate_assignment(lesson, force=True, create=True),
            f"generate_assignment {lesson}",
        )
        for student in submissions:
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
# The catalogue of mistakes is long (hundreds of submissions over the course), and an
# nbgrader run pays a kernel start, the lesson's imports and its own bookkeeping for
# each one. `grade_in_shared_kernel` grades the same submission notebooks the way nbgrader
# does (test cells restored from the source with their hidden tests, NBGRADER_EXECUTION
# set, stderr matching nbgrader_config's IgnorePattern dropped, nbgrader's own
# determine_grade on the outputs) but runs them one after another in one kernel per
# worker, with the namespace reset in between, and stops after the last test cell (the
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


def _is_test(cell) -> bool:
    """An autograded test cell: graded, not a solution."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return (
        cell.cell_type == "code"
        and bool(meta.get("grade"))
        and not meta.get("solution")
    )


def _run_cells(
    client, manager, notebook, timeout: float, ignore, stop_at_loss: bool = False
) -> dict[str, tuple]:
    from nbgrader.utils import determine_grade

    scores = {}
    tests = [i for i, c in enumerate(notebook.cells) if _is_test(c)]
    # Cells after the last test cannot change a score: they are not run.
    for cell in notebook.cells[: tests[-1] + 1 if tests else 0]:
        if cell.cell_type != "code":
            continue
        outputs = []

        def keep(message, outputs=outputs):
            if message["msg_type"] in {
                "stream",
                "error",
                "execute_result",
                "display_data",
            }:
                outputs.append(nbformat.v4.output_from_msg(message))

        try:
            client.execute_interactive(
                cell.source, timeout=timeout, output_hook=keep, allow_stdin=False
            )
        except TimeoutError:
            manager.interrupt_kernel()
            outputs.append(
                nbformat.v4.new_output(
                    "error", ename="Timeout", evalue="cell timed out", traceback=[]
                )
            )
        cell.outputs = [
            o
            for o in outputs
            if not (
                o.output_type == "stream"
                and o.name == "stderr"
                and ignore
                and re.search(ignore, o.text)
            )
        ]
        if _is_test(cell):
            score, maximum = determine_grade(cell)
            scores[grade_id(cell)] = (score, maximum)
            if stop_at_loss and score < maximum:
                break  # a mistake needs to lose points once; the rest would cost time only
        if not manager.is_alive():
            break
    return scores


def grade_in_shared_kernel(
    lesson: str,
    submissions: dict[str, object],
    workers: int | None = None,
    stop_at_loss: set[str] = frozenset(),
) -> dict[str, dict]:
    """{student: {test grade_id: (score, max)}}, scored as nbgrader would, without a kernel per submission.

    A submission named in `stop_at_loss` stops at its first test cell that loses points (the
    catalogue of mistakes only needs to know that one does).
    """
    from jupyter_client import KernelManager

    timeout = float(_nbgrader_setting("Execute", "timeout") or 120)
    ignore = _nbgrader_setting("IgnorePattern", "pattern")
    workers = max(
        1,
        min(
            workers or int(os.environ.get("COURSE_TEST_WORKERS", os.cpu_count() or 1)),
            len(submissions),
        ),
    )
    names = sorted(submissions)
    threads = max(1, (os.cpu_count() or 1) // workers)

    def run(group: list[str]) -> dict[str, dict]:
        results = {}
        with tempfile.TemporaryDirectory(prefix=f"shared-kernel-{lesson}-") as scratch:
            shutil.copytree(COURSE_ROOT / "notebooks" / lesson, Path(scratch) / lesson)
            env = {
                **os.environ,
                "NBGRADER_EXECUTION": "autograde",
                "OMP_NUM_THREADS": str(threads),
            }
            manager = KernelManager(kernel_name="python3")
            manager.start_kernel(cwd=str(Path(scratch) / lesson), env=env)
            client = manager.client()
            client.start_channels()
            try:
                client.wait_for_ready(timeout=120)
                for name in group:
                    if not manager.is_alive():
                        manager.restart_kernel(now=True)
                        client.wait_for_ready(timeout=120)
                    client.execute_interactive(
                        "get_ipython().run_line_magic('reset', '-f')\n"
                        "import matplotlib.pyplot as _plt; _plt.close('all'); del _plt",
                        timeout=60,
                    )
                    results[name] = _run_cells(
                        client,
                        manager,
                        graded_notebook(lesson, submissions[name]),
                        timeout,
                        ignore,
                        stop_at_loss=name in stop_at_loss,
                    )
            finally:
                client.stop_channels()
                manager.shutdown_kernel(now=True)
        return results

    merged: dict[str, dict] = {}
    with ThreadPoolExecutor(workers) as pool:
        for partial in pool.map(run, [names[i::workers] for i in range(workers)]):
            merged.update(partial)
    return merged
