"""Regenerate requirements.lock, requirements-pretrained.lock and environment.yml.

    python course_tools/lock.py            # rewrite the three files
    python course_tools/lock.py --check    # exit 1 when they are not what the .in files give

requirements.in lists the course's direct dependencies; requirements-pretrained.in the
optional extra of lesson 09 (a package that ships pretrained weights). Both are resolved
together, so the two locks agree on every package they share; requirements.lock keeps
the packages the core needs, requirements-pretrained.lock the rest.

The lock pins every package, direct or not, for two resolutions: one for the running
Python (3.11 or newer) and one for Python 3.10, whose newest releases of numpy,
ipython and friends differ. Versions that differ carry a `python_version` marker.
torch is pinned exactly and its CUDA or Metal extras are left to pip, so the same lock
serves a CPU laptop, a Mac and a CUDA machine.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS_IN = ROOT / "requirements.in"
PRETRAINED_IN = ROOT / "requirements-pretrained.in"
LOCK = ROOT / "requirements.lock"
PRETRAINED_LOCK = ROOT / "requirements-pretrained.lock"
ENVIRONMENT = ROOT / "environment.yml"

# torch's own dependencies, used instead of torch when resolving for Python 3.10 (the
# CUDA build of torch on PyPI drags platform-specific packages the resolver cannot pick
# for another interpreter).
TORCH_PURE_DEPENDENCIES = [
    "filelock",
    "typing-extensions>=4.10.0",
    "setuptools>=77.0.3",
    "sympy>=1.13.3",
    "networkx>=2.5.1",
    "jinja2",
    "fsspec>=0.8.5",
]
LINUX_TAGS = [
    "manylinux_2_28_x86_64",
    "manylinux_2_27_x86_64",
    "manylinux_2_24_x86_64",
    "manylinux_2_17_x86_64",
    "manylinux2014_x86_64",
    "manylinux_2_5_x86_64",
    "manylinux1_x86_64",
    "linux_x86_64",
]


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def direct_requirements(path: Path = REQUIREMENTS_IN) -> list[str]:
    lines = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


def resolve(requirements: list[str], python_version: str | None) -> dict[str, str]:
    """Ask pip which versions it would install; returns {normalised name: version}."""
    with tempfile.TemporaryDirectory() as scratch:
        req_file = Path(scratch) / "requirements.txt"
        req_file.write_text("\n".join(requirements) + "\n")
        report = Path(scratch) / "report.json"
        command = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--report",
            str(report),
            "-r",
            str(req_file),
        ]
        if python_version:
            command += [
                "--python-version",
                python_version,
                "--only-binary=:all:",
                "--target",
                str(Path(scratch) / "target"),
            ]
            for tag in LINUX_TAGS:
                command += ["--platform", tag]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        installed = json.loads(report.read_text())["install"]
    return {
        normalise(item["metadata"]["name"]): item["metadata"]["version"]
        for item in installed
    }


def strip_local(version: str) -> str:
    return version.split("+", 1)[0]  # 2.13.0+cpu -> 2.13.0


# torch's platform-specific companions (CUDA libraries, triton) are left to pip: they
# depend on the machine (CPU, CUDA, Mac), not on the course.
PLATFORM_SPECIFIC = re.compile(r"^(nvidia-|cuda-|triton$)")


def merge(
    current: dict[str, str], legacy: dict[str, str], names: set[str]
) -> list[str]:
    """Lock lines for `names`: one pin where both Pythons agree, marked pins where they differ."""
    lines = []
    for name in sorted(n for n in names if not PLATFORM_SPECIFIC.match(n)):
        new, old = current.get(name), legacy.get(name)
        if name == "torch" or new == old:
            lines.append(f"{name}=={strip_local(new)}")
            continue
        if new:
            lines.append(f'{name}=={strip_local(new)} ; python_version >= "3.11"')
        if old:
            lines.append(f'{name}=={old} ; python_version < "3.11"')
    return lines


def without_torch(requirements: list[str]) -> list[str]:
    return [
        r for r in requirements if normalise(re.split(r"[=<>!~ ;\[]", r)[0]) != "torch"
    ] + TORCH_PURE_DEPENDENCIES


def lock_lines() -> tuple[list[str], list[str]]:
    """(core lock lines, pretrained-extra lock lines), from one joint resolution per Python."""
    core, extra = direct_requirements(), direct_requirements(PRETRAINED_IN)
    current, legacy = (
        resolve(core + extra, None),
        resolve(without_torch(core + extra), "3.10"),
    )
    core_names = set(resolve(core, None)) | set(resolve(without_torch(core), "3.10"))
    everything = set(current) | set(legacy)
    return merge(current, legacy, core_names), merge(
        current, legacy, everything - core_names
    )


def render_lock(lines: list[str]) -> str:
    header = (
        "# Generated by `python course_tools/lock.py` from requirements.in: do not edit by hand.\n"
        "# Installed by `make lab` and `make test`; environment.yml carries the same pins.\n"
    )
    return header + "\n".join(lines) + "\n"


def render_pretrained_lock(lines: list[str]) -> str:
    header = (
        "# Generated by `python course_tools/lock.py` from requirements-pretrained.in: do not edit by hand.\n"
        "# The optional extra of lesson 09 (pretrained weights), on top of requirements.lock.\n"
        "# Installed by `make pretrained` and `make test`.\n"
    )
    return header + "\n".join(lines) + "\n"


def render_environment(lines: list[str]) -> str:
    # conda gets Python and pip; every Python package comes from the same pins as the
    # lock (the 3.11 side, which is the Python the environment asks for).
    pins = [
        line.split(" ;")[0] for line in lines if 'python_version < "3.11"' not in line
    ]
    body = "\n".join(f"      - {pin}" for pin in pins)
    return (
        "# Generated by `python course_tools/lock.py`: the conda twin of requirements.lock.\n"
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only compare, write nothing"
    )
    args = parser.parse_args()
    core, extra = lock_lines()
    wanted = {
        LOCK: render_lock(core),
        PRETRAINED_LOCK: render_pretrained_lock(extra),
        ENVIRONMENT: render_environment(core),
    }
    stale = [
        path
        for path, text in wanted.items()
        if not path.exists() or path.read_text() != text
    ]
    if args.check:
        for path in stale:
            print(f"{path.name} is out of date with requirements.in: run `make lock`")
        return 1 if stale else 0
    for path, text in wanted.items():
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
