"""Grade a whole class: collect, check, autograde in parallel sandboxes, record (instructors).

    from course_tools.grading.batch import grade_batch
    rows = grade_batch("00_orientation", "downloads/00_orientation")

The work is laid out under the output folder (default `build/grading/<assignment>/`):

    gradebook.db                       nbgrader's gradebook (manual grades are kept across runs)
    grades.csv                         one row per student, read back from the gradebook,
                                       with the submission time and any late penalty
    summary.txt                        the table printed at the end
    feedback/<student>/<assignment>/<notebook>.html
    autograded/<student>/<assignment>/<notebook>.ipynb
    results/<student>.json             each student's result, keyed by what was graded
    .work/                             the template course and the private work folders

A student's result is reused when the same bytes were graded against the same assignment
with the same settings, course code and packages (template_fingerprint), so running the
command again does no work, and a run that was stopped halfway picks up where it stopped. Late penalties (`deadlines=`, see
course_tools.grading.deadlines) are applied afresh each time the results are recorded.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course_tools.grading.collect import Submission, collect
from course_tools.grading.deadlines import (
    Deadlines,
    platform_timestamps,
    submission_time,
)
from course_tools.grading.integrity import prepare_submission
from course_tools.grading.sandbox import (
    Limits,
    check_sandbox,
    kill_user,
    release_cgroup,
)
from course_tools.release import (
    NBGRADER_API_LOCK,
    checked,
    course_root,
    nbgrader_api,
)

GRADER_VERSION = "1"


@dataclass
class Row:
    """One line of the summary: what a student scored and what was found."""

    student: str
    score: float  # after any late penalty
    max_score: float
    auto_score: float
    auto_max: float
    manual_pending: float
    problems: list[str] = field(default_factory=list)
    submitted: str = ""  # ISO time in UTC, or "" when none was found
    time_source: str = "none"  # timestamps.csv, timestamp.txt, file or none
    days_late: int = 0
    penalty: float = 0.0  # points taken off for lateness


def _sha(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def files_digest(*folders: Path, pattern: str = "*") -> bytes:
    """Every file under `folders` matching `pattern`, by relative path and content."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(folder)).encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.digest()


def environment_digest() -> bytes:
    """The name and version of every package installed beside the grader (the kernel's)."""
    from importlib.metadata import distributions

    installed = sorted(
        f"{d.metadata['Name']}=={d.version}".lower() for d in distributions()
    )
    return "\n".join(installed).encode()


def template_fingerprint(source: Path, config: Path) -> str:
    """What a score depends on besides the submission: the assignment's source and tests,
    the nbgrader configuration, the code the kernel and the grader run (course_utils and
    this package) and the versions of the installed packages. A change to any of them
    regrades every submission at the next run; when none changed, results are reused."""
    import course_utils

    return _sha(
        files_digest(source),
        config.read_bytes(),
        files_digest(
            Path(course_utils.__file__).parent,
            Path(__file__).parent,
            pattern="*.py",
        ),
        environment_digest(),
        GRADER_VERSION.encode(),
    )


def build_template(assignment: str, root: Path, folder: Path) -> dict:
    """generate_assignment once into `folder`: the gradebook every worker starts from, the
    release to check submissions against, and the SHA-256 of the trusted cells for the guard."""
    from nbgrader.api import Gradebook

    source = root / "solutions" / assignment
    if not source.is_dir():
        raise FileNotFoundError(
            f"no assignment {assignment!r}: {source} does not exist"
        )
    fingerprint = template_fingerprint(source, root / "nbgrader_config.py")
    stamp = folder / "fingerprint"
    if (
        stamp.exists()
        and stamp.read_text() == fingerprint
        and (folder / "template.json").exists()
    ):
        return json.loads((folder / "template.json").read_text())
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    shutil.copy(root / "nbgrader_config.py", folder / "nbgrader_config.py")
    shutil.copytree(source, folder / "solutions" / assignment)
    db_url = f"sqlite:///{folder / 'gradebook.db'}"
    with NBGRADER_API_LOCK:  # in this process: no interpreter start, no nbgrader import
        api = nbgrader_api(
            folder,
            db_url,
            config_file=folder / "nbgrader_config.py",
            release_directory="release",
        )
        checked(
            api.generate_assignment(assignment, force=True, create=True),
            f"generate_assignment {assignment}",
        )
    notebooks = sorted(
        p.stem for p in (folder / "release" / assignment).glob("*.ipynb")
    )
    if len(notebooks) != 1:
        raise ValueError(f"{assignment}: expected one notebook, found {notebooks}")
    tests, trusted = [], []
    with Gradebook(db_url) as gradebook:
        notebook = gradebook.find_notebook(notebooks[0], assignment)
        graded = {cell.name for cell in notebook.grade_cells}
        for cell in notebook.source_cells:
            if cell.cell_type != "code" or not cell.locked:
                continue
            digest = hashlib.sha256(cell.source.encode("utf-8")).hexdigest()
            (tests if cell.name in graded else trusted).append(digest)
    info = {
        "assignment": assignment,
        "notebook": notebooks[0],
        "fingerprint": fingerprint,
        "guard": {"tests": tests, "trusted": trusted},
        "folder": str(folder),
    }
    (folder / "template.json").write_text(json.dumps(info, indent=1))
    stamp.write_text(fingerprint)
    return info


def _blank_result(student: str, assignment: str, problems: list[str]) -> dict:
    return {
        "student": student,
        "assignment": assignment,
        "grades": [],
        "problems": problems,
        "autograded": None,
        "feedback": None,
        "seconds": 0.0,
    }


class WorkerProcess:
    """A long-lived `python -m course_tools.grading.worker --serve`: it imports nbgrader once and
    grades one job after another. A job that runs past the wall-time limit kills it (and its
    process group); the next job starts a fresh one."""

    def __init__(self, logs: Path):
        from course_tools.grading.worker import DONE

        self.done = DONE
        logs.mkdir(parents=True, exist_ok=True)
        self.log_path = (
            logs
            / f"worker-{os.getpid()}-{threading.get_ident()}-{time.monotonic_ns()}.log"
        )
        self.log = open(self.log_path, "w")
        env = dict(os.environ)
        env["PATH"] = (
            str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        )
        env["PYTHONUNBUFFERED"] = "1"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "course_tools.grading.worker", "--serve"],
            cwd=logs,  # not the caller's working folder, which may change or go away
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            env=env,
            start_new_session=True,
            bufsize=1,
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def run(self, job: Path, wall: float) -> bool:
        """Send one job; True when it finished within `wall` seconds, False when it was killed."""
        import selectors

        self.process.stdin.write(f"{job}\n")
        self.process.stdin.flush()
        deadline = time.monotonic() + wall
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(timeout=left):
                    if time.monotonic() >= deadline:
                        self.kill()
                        return False
                    continue
                line = self.process.stdout.readline()
                if not line:  # the worker died
                    return True
                if line.startswith(self.done) and line.rstrip("\n").endswith(str(job)):
                    return True
        finally:
            selector.close()

    def log_tail(self, lines: int = 3) -> str:
        self.log.flush()
        return " | ".join(
            self.log_path.read_text(errors="replace").strip().splitlines()[-lines:]
        )

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()

    def close(self) -> None:
        if self.alive():
            try:
                self.process.stdin.close()
                self.process.wait(timeout=30)
            except (subprocess.TimeoutExpired, BrokenPipeError, OSError):
                self.kill()
        self.log.close()


class Batch:
    """One `course grade` run (see grade_batch)."""

    def __init__(
        self,
        assignment: str,
        submissions: Path,
        out: Path,
        root: Path,
        workers: int,
        limits: Limits,
        sandbox: bool,
        deadlines: Deadlines | None = None,
    ):
        self.assignment, self.submissions, self.out, self.root = (
            assignment,
            submissions,
            out,
            root,
        )
        self.workers, self.limits, self.sandbox = workers, limits, sandbox
        self.deadlines = deadlines or Deadlines()
        self.work = out / ".work"
        self.results = out / "results"
        self.uid_base = 100000 + (os.getpid() % 400) * 2500
        self.local = threading.local()
        self.servers: list[WorkerProcess] = []

    def settings_key(self) -> bytes:
        return json.dumps(
            {"limits": self.limits.as_dict(), "sandbox": self.sandbox}, sort_keys=True
        ).encode()

    def run(self, progress: bool = True) -> list[Row]:
        if self.sandbox:
            check_sandbox()
        self.template = build_template(
            self.assignment, self.root, self.work / "template"
        )
        notebook = self.template["notebook"]
        release = nbformat.read(
            str(
                self.work
                / "template"
                / "release"
                / self.assignment
                / f"{notebook}.ipynb"
            ),
            as_version=4,
        )
        submissions = collect(self.submissions, self.assignment, notebook)
        self.results.mkdir(parents=True, exist_ok=True)
        pending = []
        for index, submission in enumerate(submissions):
            key = _sha(
                submission.data or (submission.problem or "").encode(),
                self.template["fingerprint"].encode(),
                self.settings_key(),
            )
            cached = self.results / f"{submission.student}.json"
            if cached.exists():
                try:
                    if json.loads(cached.read_text()).get("key") == key:
                        continue
                except json.JSONDecodeError:
                    pass
            pending.append((index, submission, key))
        bar = None
        if progress and pending:
            from tqdm.auto import tqdm

            bar = tqdm(
                total=len(pending),
                desc=f"grading {self.assignment}",
                unit="submission",
                file=sys.stderr,
            )
        try:
            with ThreadPoolExecutor(max(1, self.workers)) as pool:
                futures = [
                    pool.submit(self.grade_one, index, submission, key, release)
                    for index, submission, key in pending
                ]
                for future in as_completed(futures):
                    student = future.result()
                    if bar is not None:
                        bar.set_postfix_str(student, refresh=False)
                        bar.update(1)
        finally:
            if bar is not None:
                bar.close()
            for server in self.servers:
                server.close()
        platform = platform_timestamps(self.submissions)
        times = {
            s.student: submission_time(s.origin, s.student, platform)
            for s in submissions
        }
        rows = self.record(times)
        write_csv(rows, self.out / "grades.csv")
        (self.out / "summary.txt").write_text(summary_table(rows) + "\n")
        if not os.environ.get("COURSE_GRADING_KEEP"):
            shutil.rmtree(self.work / "jobs", ignore_errors=True)
        return rows

    def grade_one(self, index: int, submission: Submission, key: str, release) -> str:
        try:
            return self._grade_one(index, submission, key, release)
        except Exception as error:  # noqa: BLE001 - one submission never stops the batch
            record = {
                "key": "",
                "origin": str(submission.origin),
                "result": _blank_result(
                    submission.student,
                    self.assignment,
                    [
                        f"internal grading error, graded 0: {type(error).__name__}: {error}"
                    ],
                ),
            }
            (self.results / f"{submission.student}.json").write_text(
                json.dumps(record, indent=1)
            )
            return submission.student

    def _grade_one(self, index: int, submission: Submission, key: str, release) -> str:
        student = submission.student
        problems = [submission.problem] if submission.problem else []
        result = None
        if submission.data is not None:
            prepared = prepare_submission(submission.data, release)
            problems += prepared.problems
            if prepared.notebook is not None:
                result = self.run_worker(index, student, prepared.notebook)
                problems += result["problems"]
            suspicious = [
                f"suspicious, please review: {finding}"
                for finding in prepared.suspicious
            ]
        else:
            suspicious = []
        if result is None:
            result = _blank_result(student, self.assignment, [])
        if not self.sandbox:
            problems.append(
                "graded WITHOUT the sandbox (--no-sandbox): isolation was off"
            )
        result["problems"] = problems + suspicious
        notebook = self.template["notebook"]
        for kind, suffix in (
            ("feedback", "html"),
            ("autograded", "ipynb"),
            ("log", "log"),
        ):
            target = (
                self.out / "logs" / f"{student}.log"
                if kind == "log"
                else self.out
                / kind
                / student
                / self.assignment
                / f"{notebook}.{suffix}"
            )
            if result.get(kind):
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(result[kind], target)
                result[kind] = str(target.relative_to(self.out))
            else:
                target.unlink(missing_ok=True)
        record = {"key": key, "origin": str(submission.origin), "result": result}
        temporary = self.results / f"{student}.json.tmp"
        temporary.write_text(json.dumps(record, indent=1))
        os.replace(temporary, self.results / f"{student}.json")
        if not os.environ.get("COURSE_GRADING_KEEP"):
            shutil.rmtree(self.work / "jobs" / student, ignore_errors=True)
        return student

    def run_worker(self, index: int, student: str, notebook) -> dict:
        folder = self.work / "jobs" / student
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        submission_path = folder / "submission.ipynb"
        nbformat.write(notebook, str(submission_path))
        uid = self.uid_base + index
        job = {
            "assignment": self.assignment,
            "student": student,
            "notebook": self.template["notebook"],
            "submission": str(submission_path),
            "workdir": str(folder / "run"),
            "template": self.template["folder"],
            "release_dir": str(self.root / "notebooks" / self.assignment),
            "nbgrader_config": str(self.root / "nbgrader_config.py"),
            "uid": uid,
            "limits": self.limits.as_dict(),
            "sandbox": self.sandbox,
            "guard": self.template["guard"],
            "result": str(folder / "result.json"),
        }
        (folder / "job.json").write_text(json.dumps(job))
        server = self.server()
        if not server.run(folder / "job.json", self.limits.wall):
            kill_user(uid)
            release_cgroup(uid)  # the killed worker could not remove it
            return _blank_result(
                student,
                self.assignment,
                [
                    f"stopped after the wall-time limit of {self.limits.wall:.0f} s: every test scores 0"
                ],
            )
        kill_user(uid)
        result_path = folder / "result.json"
        if not result_path.exists():
            tail = server.log_tail()
            return _blank_result(
                student,
                self.assignment,
                ["the grader failed on this submission: " + tail],
            )
        return json.loads(result_path.read_text())

    def server(self) -> WorkerProcess:
        """This thread's worker process (started on first use, restarted after a kill)."""
        server = getattr(self.local, "server", None)
        if server is None or not server.alive():
            server = WorkerProcess(self.work / "logs")
            self.local.server = server
            self.servers.append(server)
        return server

    def record(self, times: dict[str, tuple]) -> list[Row]:
        """Write every student's result and late penalty into the gradebook, then read
        the rows back from it. `times`: student -> (submission time, its source)."""
        import warnings

        from nbgrader.api import Gradebook
        from sqlalchemy.exc import SAWarning

        warnings.filterwarnings("ignore", category=SAWarning)
        database = self.out / "gradebook.db"
        if not database.exists():
            shutil.copy(self.work / "template" / "gradebook.db", database)
        notebook = self.template["notebook"]
        rows = []
        with Gradebook(f"sqlite:///{database}") as gradebook:
            for student, (submitted, source) in times.items():
                record = json.loads((self.results / f"{student}.json").read_text())
                result = record["result"]
                gradebook.update_or_create_student(student)
                stamp = (
                    {"timestamp": submitted.replace(tzinfo=None)} if submitted else {}
                )
                gradebook.update_or_create_submission(self.assignment, student, **stamp)
                scores = {g["name"]: g for g in result["grades"]}
                submission = gradebook.find_submission_notebook(
                    notebook, self.assignment, student
                )
                for item in submission.grades:
                    graded = scores.get(item.name)
                    if item.cell.cell_type == "code" or graded is None:
                        item.auto_score = (
                            float(graded["auto_score"] or 0) if graded else 0.0
                        )
                        item.needs_manual_grade = (
                            bool(graded["needs_manual_grade"]) if graded else False
                        )
                    else:
                        item.auto_score = graded["auto_score"]
                        if item.manual_score is None:
                            item.needs_manual_grade = bool(graded["needs_manual_grade"])
                gradebook.db.commit()
                submission = gradebook.find_submission_notebook(
                    notebook, self.assignment, student
                )
                auto = [g for g in submission.grades if g.cell.cell_type == "code"]
                pending = sum(
                    g.max_score
                    for g in submission.grades
                    if g.cell.cell_type != "code" and g.manual_score is None
                )
                late = self.deadlines.lateness(
                    self.assignment, student, submitted, source
                )
                penalty = late.penalty_points(
                    float(submission.score),
                    float(submission.max_score),
                    self.deadlines.rule(self.assignment),
                )
                # nbgrader's own export subtracts this too: the two always agree.
                submission.late_submission_penalty = penalty
                gradebook.db.commit()
                rows.append(
                    Row(
                        student,
                        float(submission.score) - penalty,
                        float(submission.max_score),
                        float(sum(g.score for g in auto)),
                        float(sum(g.max_score for g in auto)),
                        float(pending),
                        list(result["problems"]),
                        submitted.isoformat(timespec="seconds") if submitted else "",
                        source,
                        late.days_late,
                        penalty,
                    )
                )
        return rows


def write_csv(rows: list[Row], path: Path) -> None:
    """grades.csv: one row per student (the header names the columns; score is after
    the late penalty, which has its own column, as do the submission time and its source)."""
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    with open(temporary, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "student",
                "score",
                "max_score",
                "autograded_score",
                "autograded_max",
                "awaiting_manual_grading",
                "submitted_utc",
                "time_source",
                "days_late",
                "late_penalty",
                "problems",
            ]
        )
        for row in rows:
            writer.writerow(
                [
                    row.student,
                    f"{row.score:g}",
                    f"{row.max_score:g}",
                    f"{row.auto_score:g}",
                    f"{row.auto_max:g}",
                    f"{row.manual_pending:g}",
                    row.submitted,
                    row.time_source,
                    row.days_late,
                    f"{row.penalty:g}",
                    "; ".join(row.problems),
                ]
            )
    os.replace(temporary, path)


def summary_table(rows: list[Row], width: int = 100) -> str:
    """The table `course grade` prints: student, score, maximum, problems found."""
    name = max([len("student")] + [len(r.student) for r in rows])
    lines = [
        f"{'student':<{name}}  {'score':>6}  {'max':>5}  {'auto':>9}  problems found"
    ]
    lines.append("-" * min(width, len(lines[0]) + 10))
    for row in rows:
        late = (
            [f"{row.days_late} day(s) late: -{row.penalty:g}"] if row.days_late else []
        )
        problems = "; ".join(late + row.problems) or "-"
        if len(problems) > width:
            problems = problems[: width - 3] + "..."
        lines.append(
            f"{row.student:<{name}}  {row.score:>6g}  {row.max_score:>5g}  {row.auto_score:>4g}/{row.auto_max:<4g}  "
            f"{problems}"
        )
    graded = len(rows)
    flagged = sum(1 for r in rows if r.problems)
    lines.append(
        f"{graded} submissions, {flagged} with problems; auto scores are out of {rows[0].auto_max:g}"
        if rows
        else "no submissions found"
    )
    return "\n".join(lines)


def grade_batch(
    assignment: str,
    submissions: Path | str,
    out: Path | str | None = None,
    *,
    root: Path | None = None,
    workers: int | None = None,
    limits: Limits | None = None,
    sandbox: bool = True,
    progress: bool = True,
    deadlines: Deadlines | None = None,
) -> list[Row]:
    """Grade every submission of `assignment` in `submissions`; returns the summary rows
    (instructors). `deadlines`: due dates and late penalties (course_tools.grading.deadlines)."""
    root = Path(root or course_root())
    out = Path(out) if out else root / "build" / "grading" / assignment
    workers = workers or os.cpu_count() or 1
    batch = Batch(
        assignment,
        Path(submissions),
        out.resolve(),
        root,
        workers,
        limits or Limits(),
        sandbox,
        deadlines,
    )
    started = time.perf_counter()
    rows = batch.run(progress=progress)
    batch.seconds = time.perf_counter() - started
    return rows
