"""The environment check (run in lesson 00_orientation, and by `make doctor`).

    python -m course_utils.doctor          # one [OK]/[FAIL] line per check
    python -m course_utils.doctor --quiet  # only the failures

Exits with status 1 when any check fails; every [FAIL] line says how to fix it.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

MIN_PYTHON = (3, 10)
# Packages the lessons import, with the name they are installed under.
REQUIRED_PACKAGES = [
    "torch",
    "numpy",
    "matplotlib",
    "ipywidgets",
    "jupyterlab",
    "nbgrader",
    "tqdm",
]
# What only the course's own JupyterLab needs: Google Colab runs notebooks without them.
LAB_PACKAGES = {"jupyterlab", "nbgrader"}
LOCK_FILE = Path(__file__).resolve().parent.parent / "requirements.lock"
SETUP_HINT = "run `make lab` (or `make setup`) from the course folder"


@dataclass
class Check:
    """One line of the report: what was checked, whether it passed, and how to fix it."""

    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        mark = "[OK]  " if self.ok else "[FAIL]"
        text = f"{mark} {self.name}: {self.detail}"
        if not self.ok and self.fix:
            text += f"\n       fix: {self.fix}"
        return text


def parse_requirements(text: str, source: str = "requirements") -> list[Requirement]:
    """The requirements in the text of a pip requirements file (lesson 00).

    Lines continued with a backslash are joined; comments, blank lines, pip's options
    (`--hash=...` after a requirement, `-r`/`--index-url` lines) are left out. A line
    that is none of these and no requirement raises ValueError naming the line.
    """
    requirements = []
    for line in text.replace("\\\n", " ").splitlines():
        line = line.split("#", 1)[0].split(" --", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        try:
            requirements.append(Requirement(line))
        except InvalidRequirement as error:
            raise ValueError(
                f"{source}: expected a requirement such as "
                f"'numpy==2.4.6 ; python_version >= \"3.11\"', got {line!r} ({error})"
            ) from error
    return requirements


def pinned_version(requirement: Requirement) -> str:
    """The one version `name==version` pins; ValueError for anything looser (lesson 00)."""
    specifiers = list(requirement.specifier)
    exact = len(specifiers) == 1 and specifiers[0].operator in ("==", "===")
    if not exact or "*" in specifiers[0].version:
        raise ValueError(
            f"expected an exact pin such as '{requirement.name}==1.2.3', "
            f"got {str(requirement)!r}"
        )
    return specifiers[0].version


def marker_environment(
    python: tuple[int, ...] | None = None, **variables: str
) -> dict[str, str]:
    """The marker variables of this interpreter, with `python` ((3, 12) or (3, 11, 4))
    and any variable (`sys_platform="win32"`) replaced by another machine's (lesson 00)."""
    environment = dict(default_environment())
    if python is not None:
        full = (*python, 0, 0)[:3]
        environment["python_version"] = f"{full[0]}.{full[1]}"
        environment["python_full_version"] = ".".join(map(str, full))
    environment.update(variables)
    return environment


def locked_versions(
    lock_file: Path = LOCK_FILE,
    python: tuple[int, ...] | None = None,
    environment: dict[str, str] | None = None,
) -> dict[str, str]:
    """Versions requirements.lock pins for this machine, {normalised name: version} (lesson 00).

    `python` or a whole marker `environment` (see `marker_environment`) reads the pins
    another machine would install instead.
    """
    if not lock_file.exists():
        return {}
    environment = environment or marker_environment(python)
    return {
        canonicalize_name(requirement.name): pinned_version(requirement)
        for requirement in parse_requirements(lock_file.read_text(), lock_file.name)
        if requirement.marker is None or requirement.marker.evaluate(environment)
    }


def check_python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    ok = sys.version_info >= MIN_PYTHON
    return Check(
        "Python",
        ok,
        f"{version} at {sys.executable}",
        "install Python 3.10 or newer and run `make lab PYTHON=python3.11`",
    )


def check_package(name: str, pins: dict[str, str]) -> Check:
    try:
        installed = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return Check(name, False, "not installed", SETUP_HINT)
    wanted = pins.get(name)
    if wanted and installed.split("+")[0] != wanted:
        return Check(
            name,
            False,
            f"{installed} installed, but the course is pinned to {wanted}",
            f"{SETUP_HINT}; in a conda environment: pip install {name}=={wanted}",
        )
    return Check(name, True, installed)


def check_cpu() -> Check:
    import torch

    return Check(
        "CPU",
        True,
        f"{os.cpu_count()} cores, PyTorch uses {torch.get_num_threads()} threads",
    )


def check_accelerator() -> Check:
    """A GPU is welcome, never required: no GPU is still [OK]."""
    import torch

    from course_utils.runtime import describe_device, pick_device

    try:
        device = pick_device()
        probe = torch.ones(64, 64, device=device)
        (probe @ probe).sum().item()  # one real kernel launch on the device
    except Exception as error:  # a broken driver must not hide behind a traceback
        return Check(
            "Accelerator",
            False,
            f"the device failed a small matmul: {error}",
            "update the GPU driver, or set COURSE_DEVICE=cpu to run on the CPU",
        )
    if device.type == "cpu":
        return Check(
            "Accelerator",
            True,
            "none found: every lesson runs on the CPU (lesson 07 trains faster on a GPU)",
        )
    return Check("Accelerator", True, describe_device(device))


def _lab_extension_installed(package: str) -> bool:
    from jupyter_core.paths import jupyter_path

    return any(
        (Path(folder) / package / "package.json").exists()
        for folder in jupyter_path("labextensions")
    )


def check_lab_extension(label: str, package: str, pip_name: str) -> Check:
    try:
        found = _lab_extension_installed(package)
    except ImportError:
        return Check(label, False, "Jupyter is not installed", SETUP_HINT)
    if found:
        return Check(label, True, f"{package} is installed in JupyterLab")
    return Check(
        label,
        False,
        f"the JupyterLab extension {package} is missing",
        f"pip install {pip_name} in the course environment, then restart JupyterLab",
    )


def check_nbgrader_server() -> Check:
    from jupyter_core.paths import jupyter_config_path

    for folder in jupyter_config_path():
        config = Path(folder) / "jupyter_server_config.d" / "nbgrader.json"
        if config.exists():
            enabled = (
                json.loads(config.read_text())
                .get("ServerApp", {})
                .get("jpserver_extensions", {})
            )
            if any(name.startswith("nbgrader") and on for name, on in enabled.items()):
                return Check("nbgrader server extension", True, "enabled")
    return Check(
        "nbgrader server extension",
        False,
        "not enabled in any Jupyter config folder",
        "jupyter server extension enable --sys-prefix nbgrader.server_extensions.formgrader",
    )


def in_colab() -> bool:
    """True in a Google Colab runtime (its `google.colab` package is there; lesson 00)."""
    try:
        return importlib.util.find_spec("google.colab") is not None
    except ModuleNotFoundError:  # no `google` package at all
        return False


def run_checks() -> list[Check]:
    """Every check of the environment, in the order they are printed (lesson 00).

    In Google Colab the lessons run in Colab's own notebook: JupyterLab, nbgrader and
    their extensions are not checked there.
    """
    colab = in_colab()
    checks = [check_python()]
    pins = locked_versions()
    checks += [
        check_package(name, pins)
        for name in REQUIRED_PACKAGES
        if not (colab and name in LAB_PACKAGES)
    ]
    if all(check.ok for check in checks if check.name == "torch"):
        checks += [check_cpu(), check_accelerator()]
    if colab:
        return checks + [
            Check("Notebook", True, "Google Colab (JupyterLab and nbgrader not needed)")
        ]
    checks += [
        check_lab_extension(
            "ipywidgets in JupyterLab",
            "@jupyter-widgets/jupyterlab-manager",
            "ipywidgets",
        ),
        check_lab_extension("nbgrader in JupyterLab", "@jupyter/nbgrader", "nbgrader"),
        check_nbgrader_server(),
    ]
    return checks


def report(quiet: bool = False) -> bool:
    """Print the report; True when every check passed (lesson 00)."""
    checks = run_checks()
    for check in checks:
        if not (quiet and check.ok):
            print(check.line())
    failed = [check for check in checks if not check.ok]
    if failed:
        print(f"{len(failed)} check(s) failed: fix them before you start the lessons.")
    elif not quiet:
        print("Everything is ready.")
    return not failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.doctor",
        description="Check the course environment.",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="print only the checks that fail"
    )
    args = parser.parse_args(argv)
    return 0 if report(quiet=args.quiet) else 1


if __name__ == "__main__":
    sys.exit(main())
