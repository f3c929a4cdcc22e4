"""Edit a lesson as plain text: turn a notebook into a percent-format script and back.

    python -m course_tools.authoring unpack solutions/00_orientation/00_orientation.ipynb > lesson.py
    python -m course_tools.authoring pack lesson.py solutions/00_orientation/00_orientation.ipynb

Each cell starts with a header line; markdown lines carry a '# ' prefix:

    # %% [markdown]                       prose
    # %%                                  a demo cell
    # %% [code readonly] id=setup         a cell students cannot edit (restored when grading)
    # %% [solution] id=softmax            the student writes this (### BEGIN/END SOLUTION inside)
    # %% [test] id=test_softmax_rows points=1   an autograded test (### BEGIN/END HIDDEN TESTS inside)
    # %% [answer] id=why_heads points=2   a written answer, graded by hand (markdown)
    # %% [markdown readonly] id=question  a question students cannot edit

The notebook is the source of truth in the repository; this form is for writing and
reviewing lessons (see CONTRIBUTING.md). Packing an unpacked notebook gives it back unchanged.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from pathlib import Path

import nbformat

HEADER = re.compile(
    r"^# %%(?: \[(markdown|code|solution|test|answer)( readonly)?\])?(.*)$"
)
KERNELSPEC = {
    "display_name": "Python 3 (ipykernel)",
    "language": "python",
    "name": "python3",
}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3"}


def nbgrader_metadata(
    kind: str, readonly: bool, grade_id: str | None, points: float | None
) -> dict | None:
    """The nbgrader cell metadata (schema 3) for a cell kind, or None for a plain cell."""
    if kind in {"markdown", "code"} and not readonly:
        return None
    if not grade_id:
        raise ValueError(
            f"a {kind}{' readonly' if readonly else ''} cell needs id=<grade_id>"
        )
    meta = {
        "grade": kind in {"test", "answer"},
        "grade_id": grade_id,
        "locked": kind == "test" or readonly,
        "schema_version": 3,
        "solution": kind in {"solution", "answer"},
        "task": False,
    }
    if meta["grade"]:
        if points is None:
            raise ValueError(f"graded cell {grade_id!r} needs points=<n>")
        meta["points"] = points
    return meta


def cell_kind(cell) -> tuple[str, bool]:
    """Inverse of nbgrader_metadata: (kind, readonly) of a notebook cell."""
    meta = cell.get("metadata", {}).get("nbgrader")
    if not meta:
        return cell.cell_type, False
    if meta.get("grade") and meta.get("solution"):
        return "answer", False
    if meta.get("grade"):
        return "test", False
    if meta.get("solution"):
        return "solution", False
    return cell.cell_type, True


def _cell_id(kind: str, grade_id: str | None, source: str, taken: set[str]) -> str:
    base = grade_id or hashlib.sha1(f"{kind}\n{source}".encode()).hexdigest()[:12]
    base = re.sub(r"[^A-Za-z0-9_-]", "-", base)[:56]
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate


def parse(text: str) -> nbformat.NotebookNode:
    """Percent-format text -> notebook (no outputs, course kernelspec)."""
    blocks: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if HEADER.match(line):
            blocks.append((line, []))
        elif blocks:
            blocks[-1][1].append(line)
        elif line.strip():
            raise ValueError(f"text before the first '# %% [...]' header: {line!r}")
    notebook = nbformat.v4.new_notebook()
    notebook.metadata = {
        "kernelspec": dict(KERNELSPEC),
        "language_info": dict(LANGUAGE_INFO),
    }
    taken: set[str] = set()
    for header, body in blocks:
        kind, readonly, options = HEADER.match(header).groups()
        kind = kind or "code"
        settings = dict(item.split("=", 1) for item in options.split())
        unknown = set(settings) - {"id", "points"}
        if unknown:
            raise ValueError(f"unknown option(s) {sorted(unknown)} in {header!r}")
        while body and not body[-1].strip():
            body.pop()
        is_markdown = kind in {"markdown", "answer"}
        if is_markdown:
            for line in body:
                if line != "#" and not line.startswith("# "):
                    raise ValueError(
                        f"markdown line without '# ' prefix under {header!r}: {line!r}"
                    )
            body = [line[2:] for line in body]
        source = "\n".join(body)
        points = float(settings["points"]) if "points" in settings else None
        if points is not None and points.is_integer():
            points = int(points)
        meta = nbgrader_metadata(kind, bool(readonly), settings.get("id"), points)
        cell = (
            nbformat.v4.new_markdown_cell(source)
            if is_markdown
            else nbformat.v4.new_code_cell(source)
        )
        cell.id = _cell_id(kind, settings.get("id"), source, taken)
        if meta:
            cell.metadata["nbgrader"] = meta
        notebook.cells.append(cell)
    return notebook


def render(notebook) -> str:
    """Notebook -> percent-format text (outputs are dropped)."""
    parts = []
    for cell in notebook.cells:
        kind, readonly = cell_kind(cell)
        header = (
            "# %%"
            if kind == "code" and not readonly
            else f"# %% [{kind}{' readonly' if readonly else ''}]"
        )
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta:
            header += f" id={meta['grade_id']}"
            if meta.get("grade"):
                header += f" points={meta['points']}"
        source = cell.source
        if cell.cell_type == "markdown":
            source = "\n".join(
                "#" if not line else f"# {line}" for line in source.split("\n")
            )
        parts.append(f"{header}\n{source}\n")
    return "\n".join(parts)


def read_notebook(path: str | Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def write_notebook(notebook, path: str | Path) -> None:
    nbformat.validate(notebook)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.authoring", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    unpack = commands.add_parser(
        "unpack", help="notebook -> percent-format text on stdout"
    )
    unpack.add_argument("notebook")
    pack = commands.add_parser("pack", help="percent-format text -> notebook")
    pack.add_argument("text")
    pack.add_argument("notebook")
    args = parser.parse_args(argv)
    if args.command == "unpack":
        sys.stdout.write(render(read_notebook(args.notebook)))
    else:
        write_notebook(parse(Path(args.text).read_text()), args.notebook)
    return 0


if __name__ == "__main__":
    sys.exit(main())
