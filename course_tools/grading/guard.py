"""The kernel that runs a submission while it is graded (instructors; `course grade`).

    python -m course_tools.grading.guard -f CONNECTION_FILE

An IPython kernel that, before the first cell runs, imports the modules the tests rely on
and keeps a copy of everything a submission could rebind: the built-ins (`isinstance`,
`type`, `len`, ...), the functions of `torch`, `torch.nn.functional`, `torch.testing`,
`numpy`, `math` and `course_utils.testing`, the methods of `torch.Tensor` and of the torch
function and dispatch modes, IPython's hooks and input transformers, and `sys`'s hooks.
Before every test cell it puts all of that back, together with the names the instructor's
read-only cells defined (`expect`, `torch`, ...), and drops any function or dispatch mode a
submission left active. So `np.allclose = lambda *a: True`, `expect_close = print`, an
input transformer that wraps cells in `try/except`, `showtraceback` replaced, or
`TorchFunctionMode.__enter__` stubbed are undone before the tests run.

The cells are recognised by the SHA-256 of their source, read from the file named by
COURSE_GUARD_FILE (hashes only: no hidden test is ever readable by the submission).
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import json
import os
import sys

from ipykernel.ipkernel import IPythonKernel

GUARDED_MODULES = (
    "builtins",
    "math",
    "operator",
    "functools",
    "contextlib",
    "inspect",
    "ast",
    "textwrap",
    "importlib",
    "numpy",
    "numpy.testing",
    "numpy.linalg",
    "torch",
    "torch.nn",
    "torch.nn.functional",
    "torch.nn.init",
    "torch.testing",
    "torch.linalg",
    "torch.special",
    "torch.fft",
    "torch.autograd",
    "torch.overrides",
    "torch.utils._python_dispatch",
    "course_utils",
    "course_utils.testing",
    "course_utils.reference",
    "course_utils.runtime",
)
MISSING = object()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _guarded_classes() -> list[type]:
    import contextlib

    import torch
    from torch.overrides import TorchFunctionMode
    from torch.utils._python_dispatch import TorchDispatchMode

    classes = [
        torch.Tensor,
        torch._C.TensorBase,
        torch.nn.Module,
        torch.nn.Parameter,
        TorchFunctionMode,
        TorchDispatchMode,
        contextlib._GeneratorContextManager,
        contextlib.ContextDecorator,
        torch.autograd.Function,
        torch.Generator,
        BaseException,
        Exception,
        AssertionError,
    ]
    testing = sys.modules.get("course_utils.testing")
    if testing is not None:
        classes += [
            value
            for value in vars(testing).values()
            if isinstance(value, type) and value.__module__ == testing.__name__
        ]
    return classes


def _bound_names(source: str) -> set[str]:
    """Top-level names a cell binds (assignments, imports, definitions)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(
                (alias.asname or alias.name).split(".")[0]
                for alias in node.names
                if alias.name != "*"
            )
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Name):
                        names.add(sub.id)
    return names


def _from_notebook(value) -> bool:
    """Whether a value was defined by code run in the kernel (not by a library that adds attributes lazily)."""
    function = getattr(value, "__func__", value)
    function = getattr(function, "fget", function)
    module = getattr(function, "__module__", None)
    return (
        module is None
        or module == "__main__"
        or not isinstance(module, str)
        or module.startswith("__main")
    )


def import_guarded_modules() -> None:
    """Import every module the tests rely on (a module this course does not use is skipped)."""
    for name in GUARDED_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a module that is not there is simply not guarded
            pass


class Snapshot:
    """Everything a submission could rebind, taken before it runs, and the way to put it back."""

    def __init__(self, shell):
        import_guarded_modules()
        self.modules = {
            name: (sys.modules[name], dict(vars(sys.modules[name])))
            for name in GUARDED_MODULES
            if name in sys.modules
        }
        self.classes = [(cls, dict(vars(cls))) for cls in _guarded_classes()]
        self.shell = shell
        self.shell_classes = [
            (cls, dict(vars(cls))) for cls in type(shell).__mro__ if cls is not object
        ]
        self.shell_vars = dict(vars(shell))
        self.lists = {
            name: list(getattr(shell, name))
            for name in (
                "input_transformers_post",
                "input_transformers_cleanup",
                "ast_transformers",
            )
            if hasattr(shell, name)
        }
        manager = shell.input_transformer_manager
        self.manager = manager
        self.manager_lists = {
            name: list(getattr(manager, name))
            for name in ("cleanup_transforms", "line_transforms", "token_transformers")
            if hasattr(manager, name)
        }
        self.events = {
            name: list(callbacks) for name, callbacks in shell.events.callbacks.items()
        }
        self.custom = (shell.custom_exceptions, shell.CustomTB)
        self.sys_hooks = {
            name: getattr(sys, name)
            for name in (
                "excepthook",
                "displayhook",
                "stdout",
                "stderr",
                "stdin",
                "breakpointhook",
                "unraisablehook",
            )
        }
        self.meta_path = list(sys.meta_path)
        self.path_hooks = list(sys.path_hooks)
        self.user_names: dict[str, object] = {}

    def remember_names(self, source: str) -> None:
        """After a trusted (read-only) cell ran: keep what the names it bound refer to, and the
        hooks it registered (matplotlib's inline backend adds a post_execute callback)."""
        shell = self.shell
        self.events = {
            name: list(callbacks) for name, callbacks in shell.events.callbacks.items()
        }
        self.lists = {name: list(getattr(shell, name)) for name in self.lists}
        namespace = self.shell.user_ns
        for name in _bound_names(source):
            if name in namespace:
                self.user_names[name] = namespace[name]

    def restore(self) -> None:
        """Put back everything the snapshot holds. Cheap enough to run before every test cell."""
        import torch

        for name, (module, saved) in self.modules.items():
            sys.modules[name] = module
            current = vars(module)
            for key, value in saved.items():
                if current.get(key, MISSING) is not value:
                    try:
                        setattr(module, key, value)
                    except (AttributeError, TypeError):
                        pass
            if name == "builtins":
                for key in [k for k in current if k not in saved]:
                    delattr(module, key)
        for cls, saved in [*self.classes, *self.shell_classes]:
            current = dict(vars(cls))
            for key, value in saved.items():
                if current.get(key, MISSING) is not value:
                    try:
                        setattr(cls, key, value)
                    except (AttributeError, TypeError):
                        pass
            for key in [
                k for k in current if k not in saved and _from_notebook(current[k])
            ]:
                try:
                    delattr(cls, key)
                except (AttributeError, TypeError):
                    pass
        shell = self.shell
        current = vars(shell)
        for key in [
            k for k in current if k not in self.shell_vars and callable(current[k])
        ]:
            del current[key]
        for key, value in self.shell_vars.items():
            if callable(value) and current.get(key, MISSING) is not value:
                current[key] = value
        for name, saved in self.lists.items():
            getattr(shell, name)[:] = saved
        for name, saved in self.manager_lists.items():
            getattr(self.manager, name)[:] = saved
        for name, saved in self.events.items():
            shell.events.callbacks[name][:] = saved
        shell.custom_exceptions, shell.CustomTB = self.custom
        for name, value in self.sys_hooks.items():
            setattr(sys, name, value)
        sys.meta_path[:] = self.meta_path
        sys.path_hooks[:] = self.path_hooks
        sys.settrace(None)
        sys.setprofile(None)
        while torch._C._len_torch_function_stack() > 0:
            torch._C._pop_torch_function_stack()
        while torch._C._len_torch_dispatch_stack() > 0:
            torch._C._pop_torch_dispatch_stack()
        namespace = shell.user_ns
        for name, value in self.user_names.items():
            namespace[name] = value


class GuardedKernel(IPythonKernel):
    """IPython kernel that restores the trusted state before each test cell (see the module docstring)."""

    implementation = "course-guarded"
    tests: frozenset = frozenset()
    trusted: frozenset = frozenset()
    _snapshot: Snapshot | None = None

    async def do_execute(
        self,
        code,
        silent,
        store_history=True,
        user_expressions=None,
        allow_stdin=False,
        **kwargs,
    ):
        if GuardedKernel._snapshot is None:
            GuardedKernel._snapshot = Snapshot(self.shell)
        digest = _sha(code)
        if digest in GuardedKernel.tests or digest in GuardedKernel.trusted:
            GuardedKernel._snapshot.restore()
        reply = await IPythonKernel.do_execute(
            self, code, silent, store_history, user_expressions, allow_stdin, **kwargs
        )
        if digest in GuardedKernel.trusted:
            GuardedKernel._snapshot.remember_names(code)
        return reply


def _load_hashes() -> None:
    path = os.environ.pop("COURSE_GUARD_FILE", "")
    if path and os.path.exists(path):
        with open(path) as handle:
            data = json.load(handle)
        GuardedKernel.tests = frozenset(data.get("tests", ()))
        GuardedKernel.trusted = frozenset(data.get("trusted", ()))
        try:
            os.remove(path)
        except OSError:
            pass


def main() -> None:
    _load_hashes()
    # Imported before the kernel answers: on a loaded machine importing torch takes seconds,
    # which then count against the kernel's start-up, not the first cell's time limit.
    import_guarded_modules()
    from ipykernel.kernelapp import IPKernelApp

    IPKernelApp.launch_instance(kernel_class=GuardedKernel)


if __name__ == "__main__":
    main()
