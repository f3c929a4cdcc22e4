"""Grade one submission in a private copy of the course (instructors; run by `course grade`).

    python -m course_tools.grading.worker JOB.json

The job names the prepared notebook, a private work folder, the assignment's template
(gradebook and source, made once per batch) and the sandbox settings. This process is the
trusted side: it runs nbgrader's autograde and generate_feedback in-process, the student's
kernel runs in the sandbox, and the scores are read from this process's private gradebook,
which the kernel cannot see. The result is written atomically to the job's `result` path.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute

from course_tools.grading.sandbox import (
    Limits,
    MemoryGuard,
    SandboxKernelManager,
    SandboxSettings,
    cgroup_name,
    format_bytes,
    kill_tree,
    kill_user,
    prepare_folder,
    python_paths,
)

RUN_PROBLEMS: list[str] = []


def _error_output(name: str, message: str) -> NotebookNode:
    return NotebookNode(
        output_type="error",
        ename=name,
        evalue=message,
        traceback=[f"{name}: {message}"],
    )


class GuardedExecute(Execute):
    """nbgrader's Execute, with the sandboxed kernel manager, that survives a kernel that exits or dies.

    Once the kernel is gone, the cell it died in and every later code cell get an error
    output (so every later test scores 0) and the rest of the batch is not affected.
    """

    def __init__(self, *args, **kwargs):
        kwargs["kernel_manager_class"] = SandboxKernelManager
        super().__init__(*args, **kwargs)
        self._dead = False

    def preprocess(self, nb, resources=None, km=None):
        self._dead = False
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        if self._dead:
            if cell.cell_type == "code":
                cell.outputs = [
                    _error_output(
                        "KernelExited", "the kernel had exited before this cell"
                    )
                ]
            return cell, self.resources
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._dead = True
            grade_id = (
                cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                or f"cell {index + 1}"
            )
            settings = SandboxKernelManager.settings
            memory = settings.memory if settings is not None else None
            if memory is not None and memory.exceeded():
                message = (
                    f"used more than the memory limit of {format_bytes(memory.limit)}"
                )
                RUN_PROBLEMS.append(
                    f"{grade_id} ran out of memory: it {message} ({memory.kind}); "
                    f"the kernel was stopped, later cells score 0"
                )
                cell.outputs = list(cell.get("outputs", [])) + [
                    _error_output("MemoryLimit", f"stopped: {message}")
                ]
                return cell, self.resources
            RUN_PROBLEMS.append(
                f"the kernel exited or died in {grade_id}: later cells score 0"
            )
            cell.outputs = list(cell.get("outputs", [])) + [
                _error_output("KernelExited", "the kernel exited or died")
            ]
            return cell, self.resources
        except CellTimeoutError:
            # The kernel did not come back after the interrupt: stop it; later cells score 0.
            self._dead = True
            grade_id = (
                cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                or f"cell {index + 1}"
            )
            RUN_PROBLEMS.append(
                f"{grade_id} ran past the time limit per cell and did not stop when interrupted: "
                f"the kernel was stopped, later cells score 0"
            )
            cell.outputs = list(cell.get("outputs", [])) + [
                _error_output(
                    "CellTimeoutError", "stopped: no reply after the interrupt"
                )
            ]
            kill_tree(SandboxKernelManager.kernel_process)
            settings = SandboxKernelManager.settings
            if settings is not None:
                kill_user(settings.uid)
            return cell, self.resources


def _config(job: dict, course: Path):
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        IgnorePattern,
        LimitOutput,
        SaveAutoGrades,
    )
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    from course_tools.grading.feedback import FeedbackExporter

    config = Config()
    course_config = job.get("nbgrader_config")
    if course_config and os.path.exists(course_config):
        loader = PyFileConfigLoader(
            os.path.basename(course_config), path=os.path.dirname(course_config)
        )
        config.merge(loader.load_config())
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.source_directory = "solutions"
    config.CourseDirectory.submitted_directory = "submitted"
    config.CourseDirectory.autograded_directory = "autograded"
    config.CourseDirectory.feedback_directory = "feedback"
    config.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
    config.Execute.timeout = int(job["limits"]["cell"])
    config.Execute.interrupt_on_timeout = True
    # A loaded machine can lag seconds behind a cell's reply; a kernel that ignores the
    # interrupt after a timeout is waited for this long again: a short limit, a short wait.
    config.Execute.iopub_timeout = max(5, min(30, int(job["limits"]["cell"])))
    config.OverwriteCells.add_missing_cells = True
    config.GenerateFeedback.exporter_class = FeedbackExporter
    config.Autograde.autograde_preprocessors = [
        GuardedExecute,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
        CheckCellMetadata,
    ]
    return config


def output_problems(notebook) -> list[str]:
    """Timeouts and memory errors seen in the graded notebook's outputs."""
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        where = (
            cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            or f"cell {index + 1}"
        )
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            if output.get("ename") == "CellTimeoutError":
                found.append(
                    f"{where} ran past the time limit per cell and was stopped"
                )
            elif output.get("ename") == "MemoryError":
                found.append(f"{where} ran out of memory (MemoryError)")
    return found


def grade(job: dict) -> dict:
    """Autograde one prepared submission and generate its feedback; returns the result record."""
    import warnings

    warnings.filterwarnings("ignore", module="nbgrader.*")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    from nbgrader.api import Gradebook
    from nbgrader.apps import NbGraderAPI

    assignment, student = job["assignment"], job["student"]
    work = Path(job["workdir"])
    if work.exists():
        shutil.rmtree(work)
    course = work / "course"
    (course / "solutions").mkdir(parents=True)
    os.symlink(
        Path(job["template"]) / "solutions" / assignment,
        course / "solutions" / assignment,
    )
    shutil.copy(Path(job["template"]) / "gradebook.db", course / "gradebook.db")
    notebook_name = job["notebook"]
    submitted = course / "submitted" / student / assignment
    submitted.mkdir(parents=True)
    shutil.copy(job["submission"], submitted / f"{notebook_name}.ipynb")

    uid = int(job["uid"])
    limits = Limits(**job["limits"])
    scratch = prepare_folder(work / "sandbox" / "work", uid)
    release_dir = Path(job["release_dir"])
    for item in release_dir.iterdir() if release_dir.is_dir() else []:
        if item.suffix != ".ipynb" and item.is_file():
            shutil.copy(item, scratch / item.name)
    # ZMQ ipc socket paths must stay under 108 bytes: the runtime folder gets a short name.
    runtime = Path(tempfile.gettempdir()) / f"cg-{uid}-{secrets.token_hex(3)}"
    guard_file = runtime / "guard.json"
    prepare_folder(runtime, uid)
    guard_file.write_text(json.dumps(job["guard"]))
    prepare_folder(runtime, uid)
    for sub in (".home",):
        prepare_folder(scratch / sub, uid)
    memory = MemoryGuard.create(limits.memory, cgroup_name(uid))
    SandboxKernelManager.settings = SandboxSettings(
        scratch=scratch,
        runtime=runtime,
        uid=uid,
        limits=limits,
        readonly=python_paths(),
        guard_file=guard_file,
        enabled=bool(job["sandbox"]),
        memory=memory,
    )
    SandboxKernelManager.kernel_process = None
    os.environ["JUPYTER_RUNTIME_DIR"] = str(runtime)
    started = time.perf_counter()
    api = NbGraderAPI(config=_config(job, course))
    try:
        outcome = api.autograde(assignment, student, force=True, create=True)
    finally:
        kill_tree(SandboxKernelManager.kernel_process)
        kill_user(uid)
        memory_report = memory.report()
        memory.close()
    while SandboxKernelManager.open_logs:
        SandboxKernelManager.open_logs.pop().close()
    shutil.rmtree(runtime, ignore_errors=True)
    log_path = work / "nbgrader.log"
    log_path.write_text(
        (outcome.get("log") or "") + "\n" + (outcome.get("error") or "")
    )
    problems = list(RUN_PROBLEMS)
    if memory_report["exceeded"] and not any(
        "ran out of memory" in p for p in problems
    ):
        problems.append(
            f"the submission ran out of memory: it used more than the memory limit of "
            f"{format_bytes(memory.limit)} ({memory.kind}) and was stopped"
        )
    autograded = course / "autograded" / student / assignment / f"{notebook_name}.ipynb"
    if not outcome.get("success") or not autograded.exists():
        text = (outcome.get("log") or "") + "\n" + (outcome.get("error") or "")
        causes = [
            line.strip()
            for line in text.splitlines()
            if re.match(r"^\s*[\w.]+(Error|Exception|Interrupt)\b", line)
            and "NbGraderException" not in line
        ]
        problems.append(
            "nbgrader could not grade this notebook"
            + (f": {causes[-1][:200]}" if causes else "")
        )
    else:
        problems += [
            p
            for p in output_problems(nbformat.read(str(autograded), as_version=4))
            if not any(p.split(" ran past")[0] + " ran past" in q for q in problems)
        ]
    grades = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        try:
            submission = gradebook.find_submission_notebook(
                notebook_name, assignment, student
            )
            for item in submission.grades:
                grades.append(
                    {
                        "name": item.name,
                        "auto_score": item.auto_score,
                        "max_score": item.max_score,
                        "cell_type": item.cell.cell_type,
                        "needs_manual_grade": bool(item.needs_manual_grade),
                    }
                )
        except Exception as error:  # noqa: BLE001 - a submission nbgrader could not record scores 0
            problems.append(f"no grades recorded ({error})")
    feedback_path = None
    if autograded.exists():
        feedback = api.generate_feedback(assignment, student, force=True)
        html = course / "feedback" / student / assignment / f"{notebook_name}.html"
        if feedback.get("success") and html.exists():
            feedback_path = str(html)
        else:
            problems.append("feedback could not be generated")
    return {
        "student": student,
        "assignment": assignment,
        "grades": grades,
        "problems": problems,
        "autograded": str(autograded) if autograded.exists() else None,
        "feedback": feedback_path,
        "log": str(log_path),
        "seconds": round(time.perf_counter() - started, 2),
        "memory": memory_report,
    }


DONE = "@@course-grading-done "


def run_job(path: str) -> None:
    """Grade the job in the file `path` and write its result file."""
    job = json.loads(Path(path).read_text())
    RUN_PROBLEMS.clear()
    result = grade(job)
    target = Path(job["result"])
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(result, indent=1))
    os.replace(temporary, target)


def main(argv: list[str] | None = None) -> int:
    """`worker JOB.json` grades one job; `worker --serve` grades the job files named on stdin, one per line,
    answering each with a line on stdout (the batch keeps one such process per parallel worker)."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--serve":
        for line in sys.stdin:
            path = line.strip()
            if not path:
                continue
            try:
                run_job(path)
                print(DONE + "ok " + path, flush=True)
            except Exception as error:  # noqa: BLE001 - report and keep serving the next job
                print(
                    f"worker failed on {path}: {type(error).__name__}: {error}",
                    file=sys.stderr,
                    flush=True,
                )
                print(DONE + "failed " + path, flush=True)
        return 0
    run_job(argv[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
