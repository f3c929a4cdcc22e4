"""Checks a submitted notebook before it is graded (instructors; `course grade`).

`prepare_submission` reads whatever a student handed in and returns a clean notebook for
nbgrader plus the list of problems found, without ever raising on bad input:

- a file that is not JSON, or JSON that is not a notebook, is reported and not graded;
- every cell is rebuilt from its source and metadata (outputs and odd fields dropped);
- a grade_id that appears twice keeps its first cell, the copies lose their grading
  metadata (nbgrader would otherwise stop on them);
- a grade_id the assignment does not know loses its grading metadata;
- a test or read-only cell that was edited, deleted, retyped, or whose points or flags
  were changed is reported; its metadata is put back from the release and nbgrader puts
  back its source (hidden tests included), its type and its points;
- the code the student wrote is scanned for what a cheat needs (rebinding torch or numpy
  functions, IPython hooks, `builtins`, exiting the kernel, reading files, the network):
  each finding is reported for the instructor to look at. The scan decides no score.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import threading
from dataclasses import dataclass

import nbformat

SUSPICIOUS_NAMES = {
    "get_ipython": "reaches into the IPython shell (get_ipython)",
    "__builtins__": "touches __builtins__",
    "builtins": "imports or touches the builtins module",
    "ctypes": "uses ctypes",
    "gc": "uses the garbage collector module (gc)",
    "_exit": "calls os._exit",
    "settrace": "installs a trace function",
    "setprofile": "installs a profile function",
    "signal": "uses signals",
    "threading": "starts threads",
    "multiprocessing": "starts processes",
    "subprocess": "runs other programs",
    "socket": "opens network sockets",
    "urllib": "uses the network (urllib)",
    "requests": "uses the network (requests)",
    "currentframe": "inspects interpreter frames",
    "_getframe": "inspects interpreter frames",
    "f_back": "inspects interpreter frames",
    "f_globals": "inspects interpreter frames",
    "input_transformers_post": "adds an IPython input transformer",
    "input_transformers_cleanup": "adds an IPython input transformer",
    "ast_transformers": "adds an IPython AST transformer",
    "set_custom_exc": "replaces IPython's exception handling",
    "showtraceback": "replaces IPython's traceback display",
    "excepthook": "replaces sys.excepthook",
    "TorchFunctionMode": "defines a torch function mode",
    "TorchDispatchMode": "defines a torch dispatch mode",
    "__torch_function__": "overrides __torch_function__",
    "__torch_dispatch__": "overrides __torch_dispatch__",
    "modules": None,  # only as sys.modules, checked below
}
CALLS = {
    "exit": "calls exit()",
    "quit": "calls quit()",
    "setattr": "calls setattr()",
    "open": "opens files",
    "exec": "calls exec()",
    "eval": "calls eval()",
    "__import__": "calls __import__()",
    "compile": "calls compile()",
}
GUARDED_OWNERS = {
    "torch",
    "np",
    "numpy",
    "math",
    "F",
    "nn",
    "functional",
    "testing",
    "Tensor",
    "builtins",
    "sys",
    "os",
    "course_utils",
    "reference",
    "expect",
    "random",
}


@dataclass
class Prepared:
    """A submission ready for nbgrader (or None when it cannot be graded) and the problems found."""

    notebook: object | None
    problems: list[str]
    suspicious: list[str]


def nbgrader_meta(cell) -> dict:
    meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    value = meta.get("nbgrader") if isinstance(meta, dict) else None
    return value if isinstance(value, dict) else {}


def _source(cell) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(str(part) for part in source)
    return source if isinstance(source, str) else ""


def rebuild(raw: dict):
    """A valid nbformat-4 notebook holding the raw notebook's cells (source and metadata only)."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for cell in raw.get("cells", []):
        if not isinstance(cell, dict):
            continue
        kind = cell.get("cell_type")
        source = _source(cell)
        if kind == "code":
            new = nbformat.v4.new_code_cell(source)
        elif kind == "markdown":
            new = nbformat.v4.new_markdown_cell(source)
        elif kind == "raw":
            new = nbformat.v4.new_raw_cell(source)
        else:
            continue
        meta = nbgrader_meta(cell)
        if meta:
            new.metadata["nbgrader"] = json.loads(json.dumps(meta))
        notebook.cells.append(new)
    return notebook


def load_raw(data: bytes) -> tuple[dict | None, str | None]:
    """Parse a submitted file; (notebook dict, None) or (None, what is wrong with it)."""
    if not data.strip():
        return None, "the file is empty"
    try:
        raw = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        return None, "not a notebook: the file is not text (binary data)"
    except json.JSONDecodeError as error:
        return (
            None,
            f"not a notebook: corrupt JSON ({error.msg} at line {error.lineno})",
        )
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        return None, "not a notebook: JSON without a list of cells"
    if raw.get("nbformat") != 4:
        return (
            None,
            f"not a notebook this grader reads (nbformat {raw.get('nbformat')!r}, expected 4)",
        )
    return raw, None


def prepare_submission(data: bytes, release) -> Prepared:
    """Check and clean one submitted notebook against the released one (see the module docstring)."""
    raw, error = load_raw(data)
    if raw is None:
        return Prepared(None, [error], [])
    problems: list[str] = []
    notebook = rebuild(raw)
    released = {}
    for cell in release.cells:
        meta = nbgrader_meta(cell)
        if meta.get("grade_id"):
            released[meta["grade_id"]] = cell
    seen: dict[str, int] = {}
    for cell in notebook.cells:
        meta = nbgrader_meta(cell)
        grade_id = meta.get("grade_id")
        if not grade_id:
            if "nbgrader" in cell.metadata and not meta.get("grade_id"):
                del cell.metadata["nbgrader"]
            continue
        seen[grade_id] = seen.get(grade_id, 0) + 1
        if grade_id not in released:
            problems.append(
                f"unknown grade_id {grade_id!r}: graded as an ordinary cell"
            )
            del cell.metadata["nbgrader"]
            continue
        if seen[grade_id] > 1:
            del cell.metadata["nbgrader"]
            continue
        original = released[grade_id]
        want = nbgrader_meta(original)
        if cell.cell_type != original.cell_type:
            problems.append(
                f"cell {grade_id!r} was changed from {original.cell_type} to {cell.cell_type}: restored"
            )
            cell.cell_type = original.cell_type
            if original.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
            else:
                cell.pop("outputs", None)
                cell.pop("execution_count", None)
        if want.get("points") != meta.get("points") and (
            want.get("grade") or meta.get("grade")
        ):
            problems.append(
                f"points of {grade_id!r} were changed from {want.get('points')} to {meta.get('points')}: reset"
            )
        changed_flags = [
            flag
            for flag in ("grade", "solution", "locked", "task")
            if bool(want.get(flag)) != bool(meta.get(flag))
        ]
        if changed_flags:
            problems.append(
                f"grading flags of {grade_id!r} were changed ({', '.join(changed_flags)}): restored"
            )
        if (
            want.get("locked") or (want.get("grade") and not want.get("solution"))
        ) and _source(cell).strip() != _source(original).strip():
            what = "test" if want.get("grade") else "read-only"
            problems.append(
                f"{what} cell {grade_id!r} was edited: the original is run instead"
            )
        cell.metadata["nbgrader"] = copy.deepcopy(dict(want))
    for grade_id, count in seen.items():
        if count > 1:
            problems.append(
                f"grade_id {grade_id!r} appears {count} times: only the first is graded"
            )
    for grade_id, original in released.items():
        if grade_id not in seen:
            want = nbgrader_meta(original)
            kind = (
                "test"
                if want.get("grade") and not want.get("solution")
                else ("solution" if want.get("solution") else "read-only")
            )
            restored = (
                "restored and run"
                if kind == "test"
                else ("scored 0" if kind == "solution" else "restored")
            )
            problems.append(f"{kind} cell {grade_id!r} was deleted: {restored}")
    suspicious = scan(notebook)
    return Prepared(notebook, problems, suspicious)


_MAGIC = re.compile(r"^\s*[%!]")
# CPython 3.11 keeps the recursion depth of its AST constructor per interpreter, not per
# thread (Python/Python-ast.c), so two threads that parse at once can fail with
# "SystemError: AST constructor recursion depth mismatch" (python/cpython#106905 and the
# reports linked there). `course grade` checks submissions on several threads.
_PARSE_LOCK = threading.Lock()


def parse_cell(text: str) -> ast.Module:
    """ast.parse, one thread at a time (see _PARSE_LOCK); raises SyntaxError as it does."""
    with _PARSE_LOCK:
        return ast.parse(text)


def scan_source(source: str) -> list[str]:
    """What in one cell of student code looks like an attempt to cheat the tests (for a human to check)."""
    text = "\n".join("" if _MAGIC.match(line) else line for line in source.split("\n"))
    try:
        tree = parse_cell(text)
    except SyntaxError:
        return []
    found: list[str] = []
    aliases = set(GUARDED_OWNERS)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            aliases.update(
                (alias.asname or alias.name).split(".")[0] for alias in node.names
            )

    def add(message: str) -> None:
        if message not in found:
            found.append(message)

    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Name):
            name = node.id
        elif isinstance(node, ast.Attribute):
            name = node.attr
            if (
                node.attr == "modules"
                and isinstance(node.value, ast.Name)
                and node.value.id == "sys"
            ):
                add("touches sys.modules")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                top = (
                    (node.module or alias.name).split(".")[0]
                    if isinstance(node, ast.ImportFrom)
                    else alias.name.split(".")[0]
                )
                if SUSPICIOUS_NAMES.get(top):
                    add(SUSPICIOUS_NAMES[top])
        if name and SUSPICIOUS_NAMES.get(name):
            add(SUSPICIOUS_NAMES[name])
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in CALLS
        ):
            add(CALLS[node.func.id])
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
            targets = (
                node.targets
                if isinstance(node, (ast.Assign, ast.Delete))
                else [node.target]
            )
            for target in targets:
                if isinstance(target, ast.Attribute):
                    owner = target.value
                    while isinstance(owner, ast.Attribute):
                        owner = owner.value
                    if isinstance(owner, ast.Name) and owner.id in aliases:
                        add(f"rebinds {ast.unparse(target)}")
        if isinstance(node, ast.FunctionDef) and node.name in {
            "__eq__",
            "__ne__",
            "__bool__",
            "__instancecheck__",
        }:
            add(f"defines {node.name}")
        if isinstance(node, ast.Global):
            for global_name in node.names:
                if global_name in {
                    "expect",
                    "expect_close",
                    "expect_tensor",
                    "forbidden_calls",
                    "random_tensor",
                    "torch",
                    "math",
                }:
                    add(f"rebinds the test helper {global_name}")
    return found


def scan(notebook) -> list[str]:
    """Findings of `scan_source` over the cells a student may edit, each prefixed by the cell it is in."""
    findings = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        meta = nbgrader_meta(cell)
        if meta.get("locked") or (meta.get("grade") and not meta.get("solution")):
            continue
        where = meta.get("grade_id") or f"cell {index + 1}"
        for finding in scan_source(_source(cell)):
            findings.append(f"{where}: {finding}")
        for line in _source(cell).split("\n"):
            if re.match(
                r"^\s*(expect|expect_close|expect_tensor|forbidden_calls|random_tensor|called_names)\s*=",
                line,
            ):
                findings.append(
                    f"{where}: rebinds the test helper {line.split('=')[0].strip()}"
                )
    return findings
