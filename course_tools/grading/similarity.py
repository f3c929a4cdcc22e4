"""Similar solutions in a class (instructors; `course similar`).

    course similar 00_orientation                  # the autograded notebooks of `course grade`
    course similar 00_orientation --submissions downloads/00_orientation

A match is a reason to look, not proof. Short exercises have few good answers, students
learn from the same lessons, and help that the course allows leaves traces; two similar
solutions call for reading them side by side and talking to the students, never for a
verdict from this tool alone.

For each student it takes the solution regions: the cells whose nbgrader metadata marks
them as solutions, from the autograded notebooks (or, with --submissions, the submitted
ones). Each line is normalised: comments, blank lines and layout are dropped (Python's
tokenize), and local names are renamed in order of first use, so renaming variables does
not hide a copy (--no-rename keeps them). Then it removes

- every line the course published: any line of any cell of the released notebooks in
  notebooks/ (the exercise's template, signatures and docstrings included);
- common lines: a line found in more than --common of the submissions (and in at least
  five) is what most of the class writes, not a sign of copying;
- lines too short to tell anything (fewer than three tokens, or three words of prose).

Pairs are first bounded by the lines they share (an index of lines, so 300 students take
seconds); the candidates are then compared cell by cell with the standard library's
difflib.SequenceMatcher, which finds the longest runs of lines in the same order. A pair's
score is 2 M / (A + B): M lines matched, A and B the lines each student has left. Pairs at
or above --threshold with at least --min-lines matched are listed; clusters are their
connected components. The listing, with the shared lines side by side, is printed and
written to similar.txt and similar.html (in the graded folder or --out); nothing else is
written, so no grade can be lost.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import html
import io
import json
import keyword
import os
import re
import sys
import time
import tokenize
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import combinations
from pathlib import Path

from course_tools.grading.report import (
    GradedFolderError,
    check_assignment,
    default_folder,
)

THRESHOLD = 0.75
MIN_LINES = 5
COMMON_SHARE = 0.5
COMMON_AT_LEAST = 5  # a line is common only when this many submissions or more have it
MIN_CODE_TOKENS = 3
MIN_PROSE_WORDS = 3
CAUTION = (
    "A match is a reason to look, not proof: short exercises have few good answers, and "
    "students learn from the same lessons. Read the solutions side by side and talk to "
    "the students before drawing any conclusion."
)
_SKIPPED_TOKENS = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENDMARKER,
    tokenize.ENCODING,
}
_KEPT_NAMES = (
    frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))
)
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Line:
    """One line of a solution: where it is, what the student wrote, what is compared."""

    cell: str  # grade_id of the solution cell
    number: int  # line number in the cell, from 1
    text: str  # as written
    exact: str  # normalised: comments and layout dropped
    key: str  # compared: `exact`, with local names renamed unless --no-rename


@dataclass
class Pair:
    first: str
    second: str
    score: float
    matched: int
    blocks: list[tuple[str, list[tuple[Line, Line]]]] = field(default_factory=list)


# -- normalising ----------------------------------------------------------------------


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _magic_free(source: str) -> str:
    """IPython's %magics and !commands as blank lines, so that tokenize can read the rest."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line
        for line in source.split("\n")
    )


def code_lines(source: str, kept: frozenset[str], rename: bool = True) -> list[Line]:
    """The lines of a code cell as (number, text, exact, key); cell name left empty."""
    written = source.split("\n")
    per_line: dict[int, list[tuple[str, str]]] = defaultdict(list)
    names: dict[str, str] = {}
    try:
        tokens = list(
            tokenize.generate_tokens(io.StringIO(_magic_free(source)).readline)
        )
    except (tokenize.TokenError, SyntaxError, ValueError):
        tokens = None
    if tokens is None:  # not Python: compare whitespace-collapsed lines, comments cut
        lines = []
        for number, text in enumerate(written, start=1):
            exact = " ".join(text.split("#")[0].split())
            if exact:
                lines.append(Line("", number, text, exact, exact))
        return lines
    depth = 0
    for index, token in enumerate(tokens):
        if token.type in _SKIPPED_TOKENS:
            continue
        text = token.string
        shown = text
        if token.type == tokenize.OP:
            depth += text in "([{"
            depth -= text in ")]}"
        elif token.type == tokenize.NAME and rename and text not in kept:
            previous = tokens[index - 1].string if index else ""
            following = tokens[index + 1].string if index + 1 < len(tokens) else ""
            attribute = previous == "."
            keyword_argument = depth > 0 and following == "="
            if not attribute and not keyword_argument:
                shown = names.setdefault(text, f"_{len(names) + 1}")
        per_line[token.start[0]].append((text, shown))
    lines = []
    for number in sorted(per_line):
        pieces = per_line[number]
        text = written[number - 1] if number <= len(written) else ""
        exact = " ".join(p for p, _ in pieces)
        key = " ".join(s for _, s in pieces)
        lines.append(Line("", number, text, exact, key))
    return lines


def prose_lines(source: str) -> list[Line]:
    """The lines of a markdown answer: lower case words only."""
    lines = []
    for number, text in enumerate(source.split("\n"), start=1):
        exact = " ".join(_WORD.findall(text.lower()))
        if exact:
            lines.append(Line("", number, text, exact, exact))
    return lines


def _long_enough(line: Line, prose: bool) -> bool:
    if prose:
        return len(line.exact.split()) >= MIN_PROSE_WORDS
    return len(line.exact.split()) >= MIN_CODE_TOKENS


# -- what the course published ----------------------------------------------------------


@dataclass
class Published:
    """Every normalised line of the released notebooks, and the names they define."""

    code: set[str]
    prose: set[str]
    names: frozenset[str]


def _defined_names(source: str) -> set[str]:
    """Names a released cell imports or defines at its top level."""
    try:
        tree = ast.parse(_magic_free(source))
    except SyntaxError:
        return set()
    found = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                found.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
    return found


def published_code(root: Path) -> Published:
    """Read every cell of every released notebook in `root`/notebooks."""
    notebooks = sorted((Path(root) / "notebooks").glob("*/*.ipynb"))
    sources = []
    for path in notebooks:
        try:
            sources.extend(json.loads(path.read_text()).get("cells", []))
        except (OSError, ValueError):
            continue
    names: set[str] = set()
    for cell in sources:
        if cell.get("cell_type") == "code":
            names |= _defined_names(_source(cell))
    kept = _KEPT_NAMES | frozenset(names)
    code, prose = set(), set()
    for cell in sources:
        if cell.get("cell_type") == "code":
            code.update(line.exact for line in code_lines(_source(cell), kept, False))
        else:
            prose.update(line.exact for line in prose_lines(_source(cell)))
    return Published(code, prose, kept)


def solution_lines(
    notebook: dict, published: Published, rename: bool = True
) -> list[Line]:
    """A notebook's solution regions, normalised, less what the course published."""
    lines = []
    for cell in notebook.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("solution"):
            continue
        grade_id = str(meta.get("grade_id") or "")
        prose = cell.get("cell_type") != "code"
        if prose:
            found, known = prose_lines(_source(cell)), published.prose
        else:
            found = code_lines(_source(cell), published.names, rename)
            known = published.code
        for line in found:
            if line.exact in known or not _long_enough(line, prose):
                continue
            lines.append(
                Line(
                    grade_id,
                    line.number,
                    line.text,
                    line.exact,
                    f"{grade_id}\0{line.key}",
                )
            )
    return lines


# -- reading a class --------------------------------------------------------------------


def _read_notebook(data: bytes | str) -> dict | None:
    try:
        notebook = json.loads(data)
    except ValueError:
        return None
    return notebook if isinstance(notebook, dict) else None


def autograded_notebooks(folder: Path, assignment: str) -> tuple[dict, dict]:
    """student -> notebook from a graded folder; student -> why it was left out."""
    from course_tools.grading.report import read_results

    notebooks, missing = {}, {}
    for record in read_results(folder, assignment):
        result = record["result"]
        student = str(result.get("student", ""))
        path = result.get("autograded")
        notebook = None
        if path and (folder / path).is_file():
            notebook = _read_notebook((folder / path).read_bytes())
        if notebook is None:
            missing[student] = "no autograded notebook (try --submissions)"
        else:
            notebooks[student] = notebook
    return notebooks, missing


def submitted_notebooks(folder: Path, assignment: str) -> tuple[dict, dict]:
    """student -> notebook from a folder of submissions (as `course grade` reads it)."""
    from course_tools.grading.collect import collect

    release = sorted((_root() / "notebooks" / assignment).glob("*.ipynb"))
    name = release[0].stem if release else assignment
    notebooks, missing = {}, {}
    for submission in collect(folder, assignment, name):
        notebook = _read_notebook(submission.data) if submission.data else None
        if notebook is None:
            missing[submission.student] = submission.problem or "not a notebook"
        else:
            notebooks[submission.student] = notebook
    return notebooks, missing


def _root() -> Path:
    from course_tools.release import course_root

    return course_root()


# -- comparing --------------------------------------------------------------------------


def drop_common(lines: dict[str, list[Line]], share: float) -> tuple[dict, int]:
    """Remove lines found in more than `share` of the students (and at least five)."""
    holders = Counter(key for found in lines.values() for key in {x.key for x in found})
    limit = max(COMMON_AT_LEAST, share * len(lines))
    common = {key for key, count in holders.items() if count > limit}
    kept = {
        student: [line for line in found if line.key not in common]
        for student, found in lines.items()
    }
    return kept, len(common)


def _by_cell(lines: list[Line]) -> dict[str, list[Line]]:
    cells: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        cells[line.cell].append(line)
    return cells


def compare(
    lines: dict[str, list[Line]],
    threshold: float = THRESHOLD,
    min_lines: int = MIN_LINES,
) -> list[Pair]:
    """Every pair at or above `threshold` with at least `min_lines` lines matched, best first."""
    index: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for student, found in lines.items():
        for key, count in Counter(x.key for x in found).items():
            index[key].append((student, count))
    shared: Counter = Counter()
    for holders in index.values():
        for (a, count_a), (b, count_b) in combinations(holders, 2):
            shared[(a, b) if a < b else (b, a)] += min(count_a, count_b)
    pairs = []
    cells = {student: _by_cell(found) for student, found in lines.items()}
    for (a, b), bound in shared.items():
        total = len(lines[a]) + len(lines[b])
        # `bound` lines in common at most, in any order: the score cannot exceed this.
        if bound < min_lines or 2 * bound / total < threshold:
            continue
        matched, blocks = 0, []
        for cell, first in cells[a].items():
            second = cells[b].get(cell)
            if not second:
                continue
            matcher = SequenceMatcher(
                None, [x.key for x in first], [x.key for x in second], autojunk=False
            )
            for block in matcher.get_matching_blocks():
                if block.size:
                    matched += block.size
                    blocks.append(
                        (
                            cell,
                            [
                                (first[block.a + i], second[block.b + i])
                                for i in range(block.size)
                            ],
                        )
                    )
        score = 2 * matched / total
        if matched >= min_lines and score >= threshold:
            pairs.append(Pair(a, b, score, matched, blocks))
    pairs.sort(key=lambda p: (-p.score, -p.matched, p.first, p.second))
    return pairs


def clusters(pairs: list[Pair]) -> list[list[str]]:
    """Connected components of the pairs, largest first."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pair in pairs:
        parent[find(pair.first)] = find(pair.second)
    groups: dict[str, list[str]] = defaultdict(list)
    for student in parent:
        groups[find(student)].append(student)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: (-len(g), g))


@dataclass
class Findings:
    assignment: str
    source: str
    compared: int
    missing: dict[str, str]
    common: int
    pairs: list[Pair]
    clusters: list[list[str]]
    seconds: float
    threshold: float
    min_lines: int
    rename: bool


def find_similar(
    notebooks: dict[str, dict],
    assignment: str = "",
    *,
    root: Path | None = None,
    threshold: float = THRESHOLD,
    min_lines: int = MIN_LINES,
    common_share: float = COMMON_SHARE,
    rename: bool = True,
    missing: dict[str, str] | None = None,
    source: str = "",
) -> Findings:
    """Compare the solution regions of `notebooks` (student -> notebook JSON)."""
    started = time.perf_counter()
    published = published_code(root or _root())
    lines = {
        student: solution_lines(notebook, published, rename)
        for student, notebook in sorted(notebooks.items())
    }
    lines, common = drop_common(lines, common_share)
    pairs = compare(lines, threshold, min_lines)
    return Findings(
        assignment,
        source,
        len(lines),
        dict(missing or {}),
        common,
        pairs,
        clusters(pairs),
        time.perf_counter() - started,
        threshold,
        min_lines,
        rename,
    )


# -- writing ----------------------------------------------------------------------------


def _clip(text: str, width: int) -> str:
    text = text.rstrip().expandtabs(4)
    return text if len(text) <= width else text[: width - 3] + "..."


def as_text(findings: Findings, width: int = 44) -> str:
    """The listing: pairs, clusters, then each pair's shared lines side by side."""
    out = [
        f"{findings.assignment}: {findings.compared} submissions compared in "
        f"{findings.seconds:.1f} s ({findings.source}); threshold {findings.threshold:g}, "
        f"at least {findings.min_lines} matched lines"
        + ("" if findings.rename else ", names not renamed"),
        CAUTION,
        f"Lines left out as common (in most submissions): {findings.common}.",
    ]
    for student, why in sorted(findings.missing.items()):
        out.append(f"not compared: {student}: {why}")
    out.append("")
    if not findings.pairs:
        out.append("No pair at or above the threshold.")
        return "\n".join(out) + "\n"
    name = max(len(s) for p in findings.pairs for s in (p.first, p.second))
    out.append(f"pairs ({len(findings.pairs)}):")
    out.append(f"  score  lines  {'student':<{name}}  student")
    for pair in findings.pairs:
        out.append(
            f"  {pair.score:5.2f}  {pair.matched:5d}  {pair.first:<{name}}  {pair.second}"
        )
    out.append("")
    out.append(f"clusters ({len(findings.clusters)}):")
    for number, group in enumerate(findings.clusters, start=1):
        out.append(f"  {number}. {', '.join(group)} ({len(group)} students)")
    for pair in findings.pairs:
        out.append("")
        out.append(
            f"== {pair.first} | {pair.second}: score {pair.score:.2f}, "
            f"{pair.matched} lines matched"
        )
        for cell, block in pair.blocks:
            out.append(f"  {cell}:")
            for left, right in block:
                out.append(
                    f"    {left.number:3d} {_clip(left.text, width):<{width}} | "
                    f"{right.number:3d} {_clip(right.text, width)}"
                )
    return "\n".join(out) + "\n"


_STYLE = """
body { font-family: sans-serif; max-width: 75em; margin: 1em auto; padding: 0 1em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #bbb; padding: 0.2em 0.6em; text-align: left;
         vertical-align: top; }
th { background: #eee; }
td.code { font-family: monospace; white-space: pre; }
.caution { background: #fff6e0; border-left: 4px solid #E69F00; padding: 0.5em 1em; }
"""


def as_html(findings: Findings) -> str:
    """The listing as one self-contained HTML page."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        f"<title>{e(findings.assignment)}: similar solutions</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{e(findings.assignment)}: similar solutions</h1>",
        f'<p class="caution">{e(CAUTION)}</p>',
        f"<p>{findings.compared} submissions compared ({e(findings.source)}) in "
        f"{findings.seconds:.1f} s; threshold {findings.threshold:g}, at least "
        f"{findings.min_lines} matched lines; {findings.common} common lines left "
        "out.</p>",
    ]
    if findings.missing:
        parts.append(
            "<p>Not compared: "
            + "; ".join(f"{e(s)} ({e(w)})" for s, w in sorted(findings.missing.items()))
            + "</p>"
        )
    parts.append("<h2>Pairs</h2>")
    if not findings.pairs:
        parts.append("<p>No pair at or above the threshold.</p>")
    else:
        parts.append(
            '<table id="pairs"><tr><th>score</th><th>lines matched</th>'
            "<th>student</th><th>student</th></tr>"
        )
        for number, pair in enumerate(findings.pairs, start=1):
            parts.append(
                f'<tr><td><a href="#pair-{number}">{pair.score:.2f}</a></td>'
                f"<td>{pair.matched}</td><td>{e(pair.first)}</td>"
                f"<td>{e(pair.second)}</td></tr>"
            )
        parts.append("</table>")
        parts.append('<h2>Clusters</h2><ol id="clusters">')
        parts.extend(
            f"<li>{e(', '.join(group))} ({len(group)} students)</li>"
            for group in findings.clusters
        )
        parts.append("</ol><h2>Shared lines</h2>")
    for number, pair in enumerate(findings.pairs, start=1):
        parts.append(
            f'<h3 id="pair-{number}">{e(pair.first)} and {e(pair.second)}: score '
            f"{pair.score:.2f}, {pair.matched} lines matched</h3>"
        )
        parts.append(
            f'<table class="shared"><tr><th>cell</th><th>{e(pair.first)}</th>'
            f"<th>{e(pair.second)}</th></tr>"
        )
        for cell, block in pair.blocks:
            for left, right in block:
                parts.append(
                    f"<tr><td>{e(cell)}</td>"
                    f'<td class="code">{left.number}: {e(left.text)}</td>'
                    f'<td class="code">{right.number}: {e(right.text)}</td></tr>'
                )
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _write(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def run(
    assignment: str,
    graded: Path | str | None = None,
    submissions: Path | str | None = None,
    out: Path | str | None = None,
    **options,
) -> tuple[Findings, Path]:
    """Compare a class and write similar.txt and similar.html; returns the findings and
    the folder written to."""
    check_assignment(assignment)
    folder = Path(graded) if graded else default_folder(assignment)
    if submissions is not None:
        submissions = Path(submissions)
        if not submissions.is_dir():
            raise GradedFolderError(f"no folder of submissions {submissions}")
        notebooks, missing = submitted_notebooks(submissions, assignment)
        source = f"submitted notebooks in {submissions}"
        if not notebooks and not missing:
            raise GradedFolderError(f"no submission of {assignment} in {submissions}")
    else:
        notebooks, missing = autograded_notebooks(folder, assignment)
        source = f"autograded notebooks in {folder}"
    findings = find_similar(
        notebooks, assignment, missing=missing, source=source, **options
    )
    target = Path(out) if out else folder
    if target.exists() and not target.is_dir():
        raise GradedFolderError(f"--out {target} is a file, not a folder")
    target.mkdir(parents=True, exist_ok=True)
    _write(target / "similar.txt", as_text(findings))
    _write(target / "similar.html", as_html(findings))
    return findings, target


def similar_command(args: argparse.Namespace) -> int:
    if not 0 < args.threshold <= 1 or not 0 < args.common <= 1 or args.min_lines < 1:
        print(
            "course similar: --threshold and --common are in (0, 1], --min-lines >= 1",
            file=sys.stderr,
        )
        return 2
    try:
        findings, target = run(
            args.assignment,
            graded=args.graded,
            submissions=args.submissions,
            out=args.out,
            threshold=args.threshold,
            min_lines=args.min_lines,
            common_share=args.common,
            rename=not args.no_rename,
        )
    except GradedFolderError as error:
        print(f"course similar: {error}", file=sys.stderr)
        return 2
    print(as_text(findings), end="")
    print(f"\nwritten to {target / 'similar.txt'} and {target / 'similar.html'}")
    return 0


def add_parser(commands) -> argparse.ArgumentParser:
    """Register `course similar` on the `course` command's subparsers."""
    parser = commands.add_parser(
        "similar",
        help="pairs and clusters of similar solutions (a reason to look, not proof)",
        description="Compare the students' solution regions, leaving out the template, "
        "every line of the released notebooks and lines most of the class shares, and "
        "list the pairs at or above a threshold, their clusters and their shared lines "
        "side by side (printed, and written to similar.txt and similar.html). "
        + CAUTION,
    )
    parser.add_argument("assignment", help="assignment id, e.g. 00_orientation")
    parser.add_argument(
        "--graded",
        type=Path,
        default=None,
        help="the folder `course grade` wrote (default build/grading/<assignment>); "
        "its autograded notebooks are compared",
    )
    parser.add_argument(
        "--submissions",
        type=Path,
        default=None,
        help="compare the submitted notebooks in this folder instead (the layouts "
        "`course grade` reads)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder for similar.txt and similar.html (default: the graded folder)",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=THRESHOLD,
        help=f"lowest score listed, 2 x matched lines / lines of both ({THRESHOLD})",
    )
    parser.add_argument(
        "--min-lines",
        type=int,
        default=MIN_LINES,
        help=f"fewest matched lines for a pair to be listed ({MIN_LINES})",
    )
    parser.add_argument(
        "--common",
        type=float,
        default=COMMON_SHARE,
        help="a line in more than this share of submissions (and in at least "
        f"{COMMON_AT_LEAST}) is common and not compared ({COMMON_SHARE})",
    )
    parser.add_argument(
        "--no-rename",
        action="store_true",
        help="compare names as written (by default local names are renamed in order of use)",
    )
    parser.set_defaults(func=similar_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="course")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["similar", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
