"""Grade the same submissions of a lesson twice and compare: plain sequential
`nbgrader autograde` against `course grade` (parallel, sandboxed, with feedback and CSV).

    .venv/bin/python benchmarks/grading_benchmark.py                 # 40 submissions of 00_orientation
    .venv/bin/python benchmarks/grading_benchmark.py --lesson 02_dot_product_attention \
        --count 200 --workers 2                                      # the class-sized run

By default the class is a realistic mix (`--mix realistic`), drawn with a fixed seed:
40 % correct (the model solution and the catalogued correct alternatives,
tests/alternatives/<lesson>/), 35 % partly wrong (one catalogued mistake each,
tests/mistakes/<lesson>/), 15 % broken (a syntax error, a cell that raises, or the
untouched release) and 10 % slow (a correct solution with a leftover demo cell that
multiplies matrices for about `--slow-seconds` of CPU time). `--mix cycle` cycles through
the solution, the untouched release and every mistake instead.

Both runs must give every student the same autograded score; the script says so, prints
the throughput of each (submissions per minute), the ratio, and the memory: the peak
resident set of each `course grade` worker process and of each sandboxed kernel (read from
/proc twice a second), and of the plain run's nbgrader process and its kernel. Everything
is written to benchmarks/results/grading.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import nbformat  # noqa: E402
from roundtrip import (  # noqa: E402
    grade_id,
    load_alternatives,
    load_mistakes,
    source_notebook,
    student_notebook,
)

from course_tools.grading.batch import grade_batch  # noqa: E402
from course_tools.grading.sandbox import Limits  # noqa: E402
from course_tools.release import run_nbgrader  # noqa: E402


def submissions(lesson: str, count: int) -> dict[str, object]:
    """`count` submissions cycling through the solution, the release and every mistake."""
    kinds = [
        ("solution", student_notebook(lesson)),
        ("untouched", student_notebook(lesson, solved=False)),
    ]
    kinds += [
        (f"mistake-{m.name}", student_notebook(lesson, {m.replaces: m.source}))
        for m in load_mistakes(lesson)
    ]
    return {
        f"s{index:03d}-{kinds[index % len(kinds)][0]}": kinds[index % len(kinds)][1]
        for index in range(count)
    }


MIX = {"correct": 0.40, "partly_wrong": 0.35, "broken": 0.15, "slow": 0.10}


def slow_cell(seconds: float) -> str:
    """A leftover demo: matrix products for about `seconds` of CPU time on one core."""
    return (
        "import time\n"
        "import torch\n"
        "\n"
        "started = time.process_time()\n"
        "a = torch.randn(256, 256)\n"
        f"while time.process_time() - started < {seconds}:\n"
        "    a = torch.tanh(a @ a.T / 16)\n"
        "print('demo done', float(a.sum()))\n"
    )


def realistic_submissions(
    lesson: str, count: int, slow_seconds: float = 3.0, seed: int = 0
) -> dict[str, object]:
    """`count` submissions in the proportions of MIX, in an order drawn with `seed`."""
    solution_cells = [
        grade_id(c)
        for c in source_notebook(lesson).cells
        if c.get("metadata", {}).get("nbgrader", {}).get("solution")
        and c.cell_type == "code"
    ]
    first = solution_cells[0]
    variants: dict[str, list[tuple[str, object]]] = {
        "correct": [("solution", student_notebook(lesson))]
        + [
            (f"alternative-{a.name}", student_notebook(lesson, {a.replaces: a.source}))
            for a in load_alternatives(lesson)
        ],
        "partly_wrong": [
            (f"mistake-{m.name}", student_notebook(lesson, {m.replaces: m.source}))
            for m in load_mistakes(lesson)
        ],
        "broken": [
            (
                "syntax-error",
                student_notebook(lesson, {first: "def broken(:\n    pass\n"}),
            ),
            (
                "raises",
                student_notebook(
                    lesson, {first: "raise RuntimeError('not finished yet')\n"}
                ),
            ),
            ("untouched", student_notebook(lesson, solved=False)),
        ],
    }
    slow = student_notebook(lesson)
    slow.cells.append(nbformat.v4.new_code_cell(slow_cell(slow_seconds)))
    variants["slow"] = [("slow", slow)]
    if not variants["partly_wrong"]:
        variants["partly_wrong"] = variants["broken"]
    counts = {kind: int(round(share * count)) for kind, share in MIX.items()}
    counts["correct"] += count - sum(counts.values())
    kinds = [kind for kind, number in counts.items() for _ in range(number)]
    random.Random(seed).shuffle(kinds)
    seen: dict[str, int] = {}
    out = {}
    for index, kind in enumerate(kinds):
        number = seen.get(kind, 0)
        seen[kind] = number + 1
        name, notebook = variants[kind][number % len(variants[kind])]
        out[f"s{index:03d}-{kind}-{name}"] = notebook
    return out


class MemorySampler:
    """Peak resident set of each process under this one, by role, read from /proc every
    `interval` seconds while the block runs."""

    ROLES = {
        "course_tools.grading.worker": "worker",
        "course_tools.grading.guard": "kernel",
        "ipykernel_launcher": "kernel",
        "nbgrader": "nbgrader",
    }

    def __init__(self, interval: float = 0.5):
        self.interval = interval
        self.peaks: dict[int, tuple[str, int]] = {}
        self.total_peak = 0
        self._stop = threading.Event()

    def _role(self, pid: int) -> str | None:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                command = handle.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return None
        for marker, role in self.ROLES.items():
            if marker in command:
                return role
        return None

    def _run(self) -> None:
        from course_tools.grading.sandbox import process_tree, resident_bytes

        while not self._stop.is_set():
            total = 0
            for pid in process_tree(os.getpid())[1:]:
                role = self._role(pid)
                if role is None:
                    continue
                used = resident_bytes([pid])
                total += used
                if used > self.peaks.get(pid, ("", 0))[1]:
                    self.peaks[pid] = (role, used)
            self.total_peak = max(self.total_peak, total)
            self._stop.wait(self.interval)

    def __enter__(self) -> MemorySampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict[str, object]:
        """MiB: the largest and the median peak per role, and the peak of all together."""
        out: dict[str, object] = {"all_together_peak_mib": _mib(self.total_peak)}
        for role in sorted({role for role, _ in self.peaks.values()}):
            peaks = [used for r, used in self.peaks.values() if r == role]
            out[f"{role}_peak_mib_max"] = _mib(max(peaks))
            out[f"{role}_peak_mib_median"] = _mib(statistics.median(peaks))
            out[f"{role}_processes"] = len(peaks)
        return out


def _mib(size: float) -> float:
    return round(size / 2**20, 1)


def plain_nbgrader(
    lesson: str, notebooks: dict[str, object], folder: Path
) -> tuple[float, float, dict[str, float]]:
    """Sequential `nbgrader autograde` of every submission in one course copy; (autograde s, feedback s, scores)."""
    from nbgrader.api import Gradebook

    shutil.copy(ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    shutil.copytree(ROOT / "solutions" / lesson, folder / "solutions" / lesson)
    for student, notebook in notebooks.items():
        target = folder / "submitted" / student / lesson / f"{lesson}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(notebook, str(target))
    db_url = f"sqlite:///{folder / 'gradebook.db'}"
    root = f"--CourseDirectory.root={folder}"
    run_nbgrader(
        [
            "generate_assignment",
            lesson,
            "--force",
            root,
            "--CourseDirectory.release_directory=release",
        ],
        cwd=folder,
        db_url=db_url,
    )
    start = time.perf_counter()
    run_nbgrader(["autograde", lesson, "--force", root], cwd=folder, db_url=db_url)
    autograde = time.perf_counter() - start
    start = time.perf_counter()
    run_nbgrader(
        ["generate_feedback", lesson, "--force", root], cwd=folder, db_url=db_url
    )
    feedback = time.perf_counter() - start
    scores = {}
    with Gradebook(db_url) as gradebook:
        for student in notebooks:
            notebook = gradebook.find_submission_notebook(lesson, lesson, student)
            scores[student] = float(
                sum(g.score for g in notebook.grades if g.cell.cell_type == "code")
            )
    return autograde, feedback, scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesson", default="00_orientation")
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="course grade workers (default: CPU cores)",
    )
    parser.add_argument(
        "--mix",
        choices=["realistic", "cycle"],
        default="realistic",
        help="correct, partly wrong, broken and slow submissions (realistic), or the "
        "solution, the release and every mistake in turn (cycle)",
    )
    parser.add_argument(
        "--slow-seconds",
        type=float,
        default=3.0,
        help="CPU seconds of a slow submission's extra cell (3)",
    )
    parser.add_argument(
        "--skip-plain", action="store_true", help="time only `course grade`"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "benchmarks" / "results" / "grading.json",
        help="where the results go (default benchmarks/results/grading.json)",
    )
    args = parser.parse_args(argv)
    workers = args.workers or os.cpu_count() or 1
    if args.mix == "realistic":
        notebooks = realistic_submissions(args.lesson, args.count, args.slow_seconds)
    else:
        notebooks = submissions(args.lesson, args.count)
    kinds: dict[str, int] = {}
    for student in notebooks:
        kind = student.split("-")[1] if args.mix == "realistic" else "cycle"
        kinds[kind] = kinds.get(kind, 0) + 1
    report: dict[str, object] = {
        "lesson": args.lesson,
        "submissions": args.count,
        "mix": args.mix,
        "kinds": kinds,
        "workers": workers,
        "cores": os.cpu_count(),
        "load_average_at_start": os.getloadavg()[0],
    }
    print(f"{args.count} submissions of {args.lesson}: {kinds}", flush=True)
    with tempfile.TemporaryDirectory(prefix="grading-benchmark-") as scratch:
        scratch = Path(scratch)
        if not args.skip_plain:
            (scratch / "plain").mkdir()
            with MemorySampler() as plain_memory:
                autograde, feedback, plain_scores = plain_nbgrader(
                    args.lesson, notebooks, scratch / "plain"
                )
            report.update(
                plain_autograde_s=round(autograde, 1),
                plain_feedback_s=round(feedback, 1),
                plain_memory=plain_memory.summary(),
            )
            print(
                f"nbgrader autograde, sequential: {autograde:.1f} s ({60 * args.count / autograde:.1f} submissions/min); "
                f"generate_feedback {feedback:.1f} s more",
                flush=True,
            )
        folder = scratch / "submissions"
        folder.mkdir()
        for student, notebook in notebooks.items():
            nbformat.write(notebook, str(folder / f"{student}.ipynb"))
        start = time.perf_counter()
        with MemorySampler() as ours_memory:
            rows = grade_batch(
                args.lesson,
                folder,
                scratch / "graded",
                workers=workers,
                limits=Limits(),
                progress=True,
            )
        ours = time.perf_counter() - start
        ours_scores = {row.student: row.auto_score for row in rows}
        results = [
            json.loads(path.read_text())["result"]
            for path in (scratch / "graded" / "results").glob("*.json")
        ]
        kernel_peaks = [
            r["memory"]["peak"] for r in results if (r.get("memory") or {}).get("peak")
        ]
        enforcement = sorted(
            {r["memory"]["enforcement"] for r in results if r.get("memory")}
        )
        memory = ours_memory.summary()
        memory.update(
            memory_enforcement=enforcement,
            kernel_peak_mib_by_limit_max=_mib(max(kernel_peaks, default=0)),
            kernel_peak_mib_by_limit_median=_mib(
                statistics.median(kernel_peaks) if kernel_peaks else 0
            ),
        )
        report.update(
            course_grade_s=round(ours, 1),
            course_grade_per_min=round(60 * args.count / ours, 1),
            course_grade_memory=memory,
            load_average_at_end=os.getloadavg()[0],
        )
        print(
            f"course grade, {workers} workers, sandboxed, with feedback and CSV: {ours:.1f} s "
            f"({60 * args.count / ours:.1f} submissions/min)"
        )
        print(
            f"memory per worker: worker process peak {memory.get('worker_peak_mib_max', 0)} MiB, "
            f"kernel peak {memory.get('kernel_peak_mib_max', 0)} MiB "
            f"(as the memory limit counts it: {memory['kernel_peak_mib_by_limit_max']} MiB, "
            f"{', '.join(enforcement)}); all processes together at most "
            f"{memory['all_together_peak_mib']} MiB"
        )
        if not args.skip_plain:
            same = plain_scores == ours_scores
            differ = {
                s: (plain_scores[s], ours_scores.get(s))
                for s in plain_scores
                if plain_scores[s] != ours_scores.get(s)
            }
            report.update(
                plain_per_min=round(60 * args.count / autograde, 1),
                same_scores=same,
                differ=differ,
                speedup_vs_autograde=round(autograde / ours, 2),
                speedup_vs_autograde_and_feedback=round(
                    (autograde + feedback) / ours, 2
                ),
            )
            print(
                f"scores identical to the sequential nbgrader run: {same}"
                + (f" (differ: {differ})" if differ else "")
            )
            print(
                f"submissions per minute: course grade {60 * args.count / ours:.1f}, "
                f"nbgrader {60 * args.count / autograde:.1f}; ratio {autograde / ours:.2f}x "
                f"against autograde alone, {(autograde + feedback) / ours:.2f}x against "
                f"autograde + generate_feedback"
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    shown = args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out
    print(f"written to {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
