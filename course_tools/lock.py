"""Regenerate requirements.lock, the locks of the two extras and environment.yml.

    python -m course_tools.lock            # rewrite the three files (`make lock`)
    python -m course_tools.lock --check    # say whether they are what the .in files give

requirements.in lists the course's direct dependencies; requirements-pretrained.in the
optional extra of lesson 09 (a package that ships pretrained weights);
requirements-hub.in the optional extra of the course's JupyterHub (deploy/jupyterhub/).
uv's universal
resolver (`uv pip compile --universal`, uv itself pinned in the lock) pins them once for
every platform and every Python from pyproject.toml's `requires-python` floor up to
NEWEST_PYTHON: where a release needs a newer Python or one platform only, its line
carries an environment marker (`soupsieve==2.10 ; python_full_version < '3.11.5'`,
`pywinpty==3.1.2 ; os_name == 'nt'`). The three files are resolved together, so the
locks agree on every package they share: requirements.lock keeps what the core needs,
requirements-pretrained.lock and requirements-hub.lock what their extra adds to it (each
extra resolved with the core alone, preferring the joint pins, and checked against
them). The versions already in the locks are kept unless the .in files ask for others,
so a re-lock moves only what it must.

torch is pinned exactly and its CUDA companions (nvidia-*, cuda-*, triton) are left
out: they depend on the machine, not on the course. pip installs whichever build of
torch 2.13.0 it can see with the highest version: PyTorch's CPU build (2.13.0+cpu)
where the pip configuration offers one (a wheel folder in `find-links`, as on course
machines and CI, or PyTorch's CPU index), PyPI's build elsewhere (CPU on macOS and
Windows, CUDA on Linux, whose companions pip then adds).

The locks carry no hashes: with them pip cannot install that CPU build. pip ranks a
file whose link carries a listed hash above a higher version, and a wheel folder's
files carry none, so given PyPI's hashes of torch it takes PyPI's 527 MB CUDA wheel
and then stops, since hash checking is all or nothing and the companions have no hash
in the lock (measured with pip 23.2). Listing the CPU build's hash and not PyPI's Linux
ones would make every Linux machine without that very wheel fail instead: the CPU
builds are not on PyPI, the registry the lock is resolved against. Both locks are
installed in one pip command, so neither can carry hashes alone.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from uv import find_uv_bin

from course_utils.doctor import locked_versions, parse_requirements, pinned_version

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS_IN = ROOT / "requirements.in"
PRETRAINED_IN = ROOT / "requirements-pretrained.in"
LOCK = ROOT / "requirements.lock"
PRETRAINED_LOCK = ROOT / "requirements-pretrained.lock"
HUB_IN = ROOT / "requirements-hub.in"
HUB_LOCK = ROOT / "requirements-hub.lock"
ENVIRONMENT = ROOT / "environment.yml"
PYPROJECT = ROOT / "pyproject.toml"
# The newest Python torch 2.13.0 ships wheels for, and the releases in between that a
# pinned package refuses, with the reason (the Makefile's check-python agrees).
NEWEST_PYTHON = "3.14"
UNSUPPORTED_PYTHONS = {
    "3.14.1": "its regression breaks networkx (cpython#142214), which excludes it",
}
RESOLVER_TIMEOUT_S = 600  # a resolution takes about 15 s with uv's cache


def oldest_python() -> str:
    """The floor of pyproject.toml's `requires-python` ("3.10" for ">=3.10")."""
    with PYPROJECT.open("rb") as file:
        requires = tomllib.load(file)["project"]["requires-python"]
    floors = [spec.version for spec in SpecifierSet(requires) if spec.operator == ">="]
    if len(floors) != 1:
        raise ValueError(f"expected requires-python like '>=3.10', got {requires!r}")
    return floors[0]


def is_torch_companion(name: str) -> bool:
    """A platform-specific package of torch's CUDA build, which the locks leave to pip."""
    name = canonicalize_name(name)
    return name.startswith(("nvidia-", "cuda-")) or name == "triton"


def locked_lines(text: str) -> list[tuple[str, Requirement]]:
    """(line, requirement) for each requirement line of a resolver's output."""
    return [
        (line, requirements[0])
        for line in text.splitlines()
        if (requirements := parse_requirements(line, "the resolver's output"))
    ]


def resolve(inputs: list[Path], preferences: str) -> list[tuple[str, Requirement]]:
    """uv's universal resolution of `inputs`, keeping the versions `preferences` (the
    text of a lock) pins wherever the inputs allow; torch's companions left out."""
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "resolved.txt"
        output.write_text(preferences)  # uv prefers the pins of the file it rewrites
        command = [
            find_uv_bin(),
            "pip",
            "compile",
            "--universal",
            f"--python-version={oldest_python()}",
            "--no-config",
            "--no-header",
            "--annotation-style=line",
            "--quiet",
            f"--output-file={output}",
            *(path.relative_to(ROOT).as_posix() for path in inputs),
        ]
        subprocess.run(command, cwd=ROOT, check=True, timeout=RESOLVER_TIMEOUT_S)
        resolved = output.read_text()
    return [
        pin for pin in locked_lines(resolved) if not is_torch_companion(pin[1].name)
    ]


def pin_key(requirement: Requirement) -> tuple[str, str, str]:
    return (
        canonicalize_name(requirement.name),
        str(requirement.specifier),
        str(requirement.marker),
    )


def split_locks(
    joint: list[tuple[str, Requirement]], core: list[tuple[str, Requirement]]
) -> list[str]:
    """The extra's lock lines: the joint resolution's pins the core's does not have.

    Raises ValueError when the two resolutions pin a package differently."""
    joint_versions = {
        (canonicalize_name(req.name), pinned_version(req)) for _, req in joint
    }
    for line, requirement in core:
        key = (canonicalize_name(requirement.name), pinned_version(requirement))
        if key not in joint_versions:
            raise ValueError(f"the core pins {line!r}, which the joint lock does not")
    core_keys = {pin_key(requirement) for _, requirement in core}
    return [line for line, req in joint if pin_key(req) not in core_keys]


def check_agrees(joint: list[tuple[str, Requirement]], part) -> None:
    """Raises ValueError when `part` pins a package at a version the joint lock lacks."""
    joint_versions = {
        (canonicalize_name(req.name), pinned_version(req)) for _, req in joint
    }
    for line, requirement in part:
        key = (canonicalize_name(requirement.name), pinned_version(requirement))
        if key not in joint_versions:
            raise ValueError(f"{line!r} is not what the joint lock pins")


def lock_lines() -> tuple[list[str], list[str], list[str]]:
    """(core, pretrained-extra, hub-extra lock lines), from one joint resolution."""
    previous = "".join(
        path.read_text() for path in (LOCK, PRETRAINED_LOCK, HUB_LOCK) if path.exists()
    )
    joint = resolve([REQUIREMENTS_IN, PRETRAINED_IN, HUB_IN], previous)
    preferences = "\n".join(line for line, _ in joint) + "\n"
    # The core alone, preferring the joint pins: split_locks checks it kept every one.
    core = resolve([REQUIREMENTS_IN], preferences)
    extras = []
    for extra_in in (PRETRAINED_IN, HUB_IN):
        with_core = resolve([REQUIREMENTS_IN, extra_in], preferences)
        check_agrees(joint, with_core)
        extras.append(split_locks(with_core, core))
    return [line for line, _ in core], extras[0], extras[1]


def render_lock(lines: list[str]) -> str:
    header = (
        "# Generated by `python -m course_tools.lock` from requirements.in (`make lock`):\n"
        f"# do not edit by hand. One set of pins for Linux, macOS and Windows, Python "
        f"{oldest_python()} to {NEWEST_PYTHON}.\n"
        "# Installed by `make lab` and `make test`; environment.yml carries the same pins.\n"
    )
    return header + "\n".join(lines) + "\n"


def render_pretrained_lock(lines: list[str]) -> str:
    header = (
        "# Generated by `python -m course_tools.lock` from requirements-pretrained.in:\n"
        "# do not edit by hand. The optional extra of lesson 09 (pretrained weights), on\n"
        "# top of requirements.lock. Installed by `make pretrained` and `make test`.\n"
    )
    return header + "\n".join(lines) + "\n"


def render_hub_lock(lines: list[str]) -> str:
    header = (
        "# Generated by `python -m course_tools.lock` from requirements-hub.in: do not\n"
        "# edit by hand. The optional extra of the course's JupyterHub (deploy/jupyterhub/),\n"
        "# on top of requirements.lock. Installed by `make hub-setup` and `make test`.\n"
    )
    return header + "\n".join(lines) + "\n"


def render_environment(lines: list[str]) -> str:
    # conda gets Python and pip; pip gets the lock's own lines, markers included (conda
    # hands them to pip as a requirements file), quoted for YAML.
    pins = [line.split("#", 1)[0].strip() for line in lines]
    body = "\n".join(f"      - {json.dumps(pin)}" for pin in pins)
    return (
        "# Generated by `python -m course_tools.lock`: the conda twin of requirements.lock.\n"
        "#   conda env create -f environment.yml && conda activate attention-course\n"
        "#   pip install --no-deps -e .\n"
        "name: attention-course\n"
        "channels:\n"
        "  - conda-forge\n"
        "dependencies:\n"
        "  - python=3.11\n"
        "  - pip\n"
        "  - pip:\n"
        f"{body}\n"
    )


def warn_about_the_resolver() -> None:
    """A different uv may write the same pins differently: say so before comparing."""
    installed = importlib.metadata.version("uv")
    locked = locked_versions(LOCK).get("uv")
    if locked and installed != locked:
        print(
            f"note: uv {installed} is installed but the lock pins uv {locked}; "
            "run `make setup` first if the comparison fails",
            file=sys.stderr,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only compare, write nothing"
    )
    args = parser.parse_args()
    warn_about_the_resolver()
    try:
        core, pretrained, hub = lock_lines()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        print(
            f"error: uv could not resolve the requirements ({error}); its message is "
            "above. Is the package registry reachable?",
            file=sys.stderr,
        )
        return 2
    wanted = {
        LOCK: render_lock(core),
        PRETRAINED_LOCK: render_pretrained_lock(pretrained),
        HUB_LOCK: render_hub_lock(hub),
        ENVIRONMENT: render_environment(core),
    }
    stale = [
        path
        for path, text in wanted.items()
        if not path.exists() or path.read_text() != text
    ]
    if args.check:
        for path in stale:
            print(f"{path.name} is out of date with the .in files: run `make lock`")
        if not stale:
            print(
                "requirements.lock, requirements-pretrained.lock, "
                "requirements-hub.lock, environment.yml: current"
            )
        return 1 if stale else 0
    for path, text in wanted.items():
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
