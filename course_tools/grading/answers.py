"""Which reference answers each lesson and each course_utils module needs (instructors; `course pack`).

The reference answers live in `course_utils/reference/`, one module per lesson
(`LESSON_OF` in its `__init__.py`). A student pack for a set of lessons may hold the answers
of the lessons before the first of them, never their own or later ones. This module reads
the code, without running it, to say what a pack may ship:

- `reference_lessons(root)`: answer module -> lesson, and the names the package re-exports;
- `module_imports(root)`: for each course_utils module, the course_utils modules it imports
  at module level (needed to import it at all) and inside functions (needed only when that
  function runs);
- `notebook_imports(path)`: the course_utils modules a notebook's code cells use, including
  `reference.softmax` reached through an imported package;
- `plan(root, lessons)`: the answer modules and other modules a pack of `lessons` ships, and
  the reasons a lesson cannot be in it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

PACKAGE = "course_utils"
REFERENCE = f"{PACKAGE}.reference"


def _literal_dict(tree: ast.Module, name: str) -> dict[str, str]:
    for node in tree.body:
        targets = (
            [node.target]
            if isinstance(node, ast.AnnAssign)
            else getattr(node, "targets", [])
        )
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return ast.literal_eval(node.value)
    raise ValueError(f"{REFERENCE} has no literal dict {name}")


def reference_lessons(root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """({'course_utils.reference.masks': '05_masking', ...}, {'causal_mask': 'course_utils.reference.masks', ...})."""
    init = root / PACKAGE / "reference" / "__init__.py"
    tree = ast.parse(init.read_text())
    lesson_of = _literal_dict(tree, "LESSON_OF")
    exports = _literal_dict(tree, "EXPORTS")
    return (
        {f"{REFERENCE}.{module}": lesson for module, lesson in lesson_of.items()},
        {name: f"{REFERENCE}.{module}" for name, module in exports.items()},
    )


def module_name(root: Path, path: Path) -> str:
    """course_utils/tasks/dates.py -> 'course_utils.tasks.dates'; a package's __init__ -> the package."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


class _Uses(ast.NodeVisitor):
    """The course_utils modules a piece of code uses, split into module level and function level."""

    def __init__(self, modules: set[str], exports: dict[str, str]):
        self.modules, self.exports = modules, exports
        self.top: set[str] = set()
        self.inner: set[str] = set()
        self.depth = 0
        self.bound: dict[
            str, str
        ] = {}  # local name -> the course_utils module it names

    def _use(self, module: str) -> None:
        # a module, or the package that holds it, as far as the course has it
        while module and module not in self.modules:
            module = module.rpartition(".")[0]
        if module:
            (self.inner if self.depth else self.top).add(module)

    def _function(self, node) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.split(".")[0] == PACKAGE:
                self._use(alias.name)
                if alias.asname:
                    self.bound[alias.asname] = alias.name

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if base.split(".")[0] != PACKAGE or node.level:
            return
        for alias in node.names:
            full = f"{base}.{alias.name}"
            if full in self.modules:  # `from course_utils import reference`
                self._use(full)
                self.bound[alias.asname or alias.name] = full
            elif base == REFERENCE and alias.name in self.exports:
                self._use(self.exports[alias.name])
            else:
                self._use(base)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        # `reference.softmax` or `_reference.blocks.EncoderBlock` through a bound package
        chain, value = [node.attr], node.value
        while isinstance(value, ast.Attribute):
            chain.append(value.attr)
            value = value.value
        if isinstance(value, ast.Name) and value.id in self.bound:
            dotted = self.bound[value.id]
            for attribute in reversed(chain):
                if dotted == REFERENCE and attribute in self.exports:
                    self._use(self.exports[attribute])
                    break
                if f"{dotted}.{attribute}" not in self.modules:
                    break
                dotted = f"{dotted}.{attribute}"
                self._use(dotted)
        self.generic_visit(node)


@dataclass
class ModuleUses:
    top: set[str] = field(default_factory=set)  # imported when the module is imported
    inner: set[str] = field(default_factory=set)  # imported only inside functions


def _modules(root: Path) -> dict[str, Path]:
    return {
        module_name(root, path): path
        for path in sorted((root / PACKAGE).rglob("*.py"))
        if "__pycache__" not in path.parts
    }


def module_imports(root: Path) -> dict[str, ModuleUses]:
    """Each course_utils module -> the course_utils modules it uses (itself and its own package excluded)."""
    modules = _modules(root)
    _, exports = reference_lessons(root)
    found = {}
    for name, path in modules.items():
        uses = _Uses(set(modules), exports)
        uses.visit(ast.parse(path.read_text()))
        parents = {name.rpartition(".")[0], name}
        found[name] = ModuleUses(uses.top - parents, uses.inner - parents - uses.top)
    return found


def _cell_code(source: str) -> str:
    # IPython magics and shell lines are not Python
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line
        for line in source.split("\n")
    )


def notebook_imports(root: Path, path: Path) -> set[str]:
    """The course_utils modules the code cells of the notebook at `path` use, anywhere in a cell."""
    modules = set(_modules(root))
    _, exports = reference_lessons(root)
    uses = _Uses(modules, exports)
    notebook = nbformat.read(str(path), as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            uses.visit(ast.parse(_cell_code(cell.source)))
    return uses.top | uses.inner


@dataclass
class PackPlan:
    answers: dict[str, str]  # answer module shipped -> its lesson
    modules: set[str]  # every course_utils module shipped
    left_out: dict[str, str]  # module not shipped -> why
    refused: dict[str, list[str]]  # packed lesson -> what it needs that the pack lacks


def plan(root: Path, lessons: list[str]) -> PackPlan:
    """What a pack of `lessons` (released lesson ids) ships, and which of them it cannot hold."""
    lesson_of, _ = reference_lessons(root)
    first = min(lessons)
    uses = module_imports(root)
    left_out = {
        module: f"the answers to {lesson}"
        for module, lesson in lesson_of.items()
        if lesson >= first
    }
    changed = True
    while (
        changed
    ):  # a module that imports a left-out module at module level cannot import
        changed = False
        for module, used in uses.items():
            missing = sorted(used.top & set(left_out))
            if module not in left_out and missing:
                left_out[module] = f"it imports {missing[0]} ({left_out[missing[0]]})"
                changed = True
    refused = {}
    for lesson in lessons:
        notebook = root / "notebooks" / lesson / f"{lesson}.ipynb"
        needs = sorted(notebook_imports(root, notebook) & set(left_out))
        if needs:
            refused[lesson] = [f"{module}: {left_out[module]}" for module in needs]
    return PackPlan(
        answers={m: les for m, les in lesson_of.items() if m not in left_out},
        modules=set(uses) - set(left_out),
        left_out=left_out,
        refused=refused,
    )
