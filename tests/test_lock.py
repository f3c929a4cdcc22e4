"""The locks install wherever the course promises and are what `make lock` makes.

uv's resolver dry-runs requirements.lock, alone and with requirements-pretrained.lock
(and, on Linux, where the course's JupyterHub runs, with requirements-hub.lock),
for Linux, macOS and Windows and for every Python from pyproject.toml's floor to the
newest torch supports; every pinned release admits each Python its line is for (the
registry's `requires-python`); `python -m course_tools.lock --check` finds the locks
current. These tests ask the package registry (PyPI): they fail with the reason when it
cannot be reached, and uv's cache (UV_CACHE_DIR, build/uv-cache unless set) makes a
second run take seconds. The pin reader and the split of the two locks are tested
offline.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version
from uv import find_uv_bin

from course_tools.lock import (
    HUB_LOCK,
    LOCK,
    NEWEST_PYTHON,
    PRETRAINED_LOCK,
    ROOT,
    UNSUPPORTED_PYTHONS,
    check_agrees,
    is_torch_companion,
    oldest_python,
    split_locks,
)
from course_utils.doctor import (
    locked_versions,
    marker_environment,
    parse_requirements,
    pinned_version,
)

# Each platform the course supports: uv's name for it and its marker variables.
PLATFORMS = {
    "linux-x86_64": (
        "x86_64-manylinux_2_28",  # torch's Linux wheels need glibc 2.28
        dict(sys_platform="linux", platform_system="Linux", platform_machine="x86_64"),
    ),
    "linux-aarch64": (
        "aarch64-manylinux_2_28",
        dict(sys_platform="linux", platform_system="Linux", platform_machine="aarch64"),
    ),
    "macos-arm64": (
        "aarch64-apple-darwin",  # macOS 14, as torch needs: MACOSX_DEPLOYMENT_TARGET
        dict(sys_platform="darwin", platform_system="Darwin", platform_machine="arm64"),
    ),
    "windows-x86_64": (
        "x86_64-pc-windows-msvc",
        dict(sys_platform="win32", platform_system="Windows", platform_machine="AMD64"),
    ),
}
for _, variables in PLATFORMS.values():
    variables["os_name"] = "nt" if variables["sys_platform"] == "win32" else "posix"
MINORS = range(Version(oldest_python()).minor, Version(NEWEST_PYTHON).minor + 1)
# The first release of each minor; 3.11.0 is older than 3.11.5, which soupsieve 4 needs.
DRY_RUN_PYTHONS = [f"3.{minor}.0" for minor in MINORS]
# Every patch release up to .25 of each minor, for the requires-python check.
PATCH_RELEASES = [f"3.{minor}.{patch}" for minor in MINORS for patch in range(26)]
REGISTRY = "https://pypi.org/simple"
UV_TIMEOUT_S = 180  # a dry run takes about 1 s with uv's cache, 10 s without
PARALLEL_REGISTRY_RUNS = 8
CACHE = Path(os.environ.get("UV_CACHE_DIR", ROOT / "build" / "uv-cache"))


def python_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def dry_run(platform: str, python: str, locks: list[Path], target: Path) -> dict:
    """{name: version} that uv would install from `locks` on `platform` with `python`."""
    command = [
        find_uv_bin(),
        "pip",
        "install",
        "--dry-run",
        "--no-config",
        f"--python={sys.executable}",
        f"--python-platform={PLATFORMS[platform][0]}",
        f"--python-version={python}",
        f"--target={target}",
        "--only-binary=:all:",  # a student never builds a package from source
        *(f"--requirement={lock}" for lock in locks),
    ]
    environment = os.environ | {
        "UV_CACHE_DIR": str(CACHE),
        "UV_HTTP_TIMEOUT": "30",
        "MACOSX_DEPLOYMENT_TARGET": "14.0",
    }
    names = " + ".join(lock.name for lock in locks)
    try:
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=environment,
            timeout=UV_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(
            f"uv's dry run of {names} ({platform}, Python {python}) took over "
            f"{UV_TIMEOUT_S} s: is the package registry reachable?",
            pytrace=False,
        )
    assert result.returncode == 0, (
        f"{names} does not install on {platform} with Python {python} "
        f"(or the package registry cannot be reached):\n{result.stderr[-3000:]}"
    )
    lines = (result.stdout + result.stderr).splitlines()
    installs = [line[3:] for line in lines if line.startswith(" + ")]
    return {
        canonicalize_name(name): version
        for name, version in (item.split("==", 1) for item in installs)
    }


def lock_combinations(platform: str) -> list[tuple[Path, ...]]:
    """The locks installed together on a platform: the core alone, with each extra."""
    combinations = [(LOCK,), (LOCK, PRETRAINED_LOCK)]
    if platform.startswith("linux"):  # the hub (deploy/jupyterhub/) runs on Linux
        combinations.append((LOCK, HUB_LOCK))
    return combinations


def dry_run_elsewhere(platform: str, python: str, locks: tuple[Path, ...]) -> dict:
    with tempfile.TemporaryDirectory(prefix="uv-target-") as target:
        return dry_run(platform, python, list(locks), Path(target))


@functools.cache
def registry_work() -> dict:
    """Every dry run and the re-resolution of the locks, started side by side on first
    use: they wait on the registry far more than they compute, so together they take
    about as long as the slowest. (tests/conftest.py keeps this file's tests in one
    process, so each runs once.)"""
    pool = ThreadPoolExecutor(PARALLEL_REGISTRY_RUNS)
    work = {"current": pool.submit(check_locks)}
    for platform in PLATFORMS:
        for python in DRY_RUN_PYTHONS:
            for locks in lock_combinations(platform):
                work[platform, python, locks] = pool.submit(
                    dry_run_elsewhere, platform, python, locks
                )
    pool.shutdown(wait=False)
    return work


@pytest.mark.parametrize("python", DRY_RUN_PYTHONS)
@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_locks_install_with_exactly_their_pins(platform, python):
    """What uv installs on the platform is what the lock's markers select there, plus
    (on Linux) the CUDA companions of PyPI's torch, which the lock leaves to pip."""
    environment = marker_environment(python_tuple(python), **PLATFORMS[platform][1])
    for locks in lock_combinations(platform):
        installed = registry_work()[platform, python, locks].result()
        pinned = {}
        for lock in locks:
            pinned |= locked_versions(lock, environment=environment)
        unpinned = sorted(
            f"{name}=={version}"
            for name, version in installed.items()
            if name not in pinned and not is_torch_companion(name)
        )
        assert not unpinned, (
            f"{platform}, Python {python}: installing {[lock.name for lock in locks]} "
            f"pulls packages no lock pins there: {unpinned}; run `make lock`"
        )
        moved = {
            name: (version, installed.get(name))
            for name, version in pinned.items()
            if installed.get(name) != version
        }
        assert not moved, (
            f"{platform}, Python {python}: (pinned, installed) differ: {moved}"
        )


def release_requires_python(
    requirement: Requirement, registry: requests.Session
) -> set[str]:
    """The requires-python of the pinned release's files on the registry."""
    name, version = canonicalize_name(requirement.name), pinned_version(requirement)
    try:
        response = registry.get(
            f"{REGISTRY}/{name}/",
            headers={"Accept": "application/vnd.pypi.simple.v1+json"},
            timeout=60,
        )
        response.raise_for_status()
    except requests.RequestException as error:
        message = f"cannot read {REGISTRY}/{name}/ from the registry: {error}"
        pytest.fail(message, pytrace=False)
    return {
        file.get("requires-python") or ""
        for file in response.json()["files"]
        if f"-{version}" in file["filename"]  # cheap first: thousands of files
        and file_version(file["filename"]) == Version(version)
    }


def file_version(filename: str) -> Version | None:
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[1]
        return parse_sdist_filename(filename)[1]
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None


def pythons_a_pin_is_for(requirement: Requirement) -> list[str]:
    """The patch releases for which the line's marker holds on some platform."""
    if requirement.marker is None:
        return PATCH_RELEASES
    return [
        python
        for python in PATCH_RELEASES
        if any(
            requirement.marker.evaluate(marker_environment(python_tuple(python), **v))
            for _, v in PLATFORMS.values()
        )
    ]


def test_every_pinned_release_admits_the_pythons_its_line_is_for():
    """soupsieve 4.1 needs Python 3.11.5, networkx 3.6.1 refuses 3.14.1: a pin whose
    marker lets in a Python its release refuses breaks that student's install."""
    pins = [
        requirement
        for lock in (LOCK, PRETRAINED_LOCK, HUB_LOCK)
        for requirement in parse_requirements(lock.read_text(), lock.name)
    ]
    with requests.Session() as registry:  # one connection, kept alive
        requires = [release_requires_python(pin, registry) for pin in pins]
    refused = {}
    for requirement, specifiers in zip(pins, requires, strict=True):
        assert specifiers, f"{requirement} is not on the registry"
        for python in pythons_a_pin_is_for(requirement):
            admitted = all(SpecifierSet(spec).contains(python) for spec in specifiers)
            if not admitted and python not in UNSUPPORTED_PYTHONS:
                refused.setdefault(str(requirement), []).append(python)
    refused = {
        pin: f"{p[0]} to {p[-1]} ({len(p)} releases)" for pin, p in refused.items()
    }
    assert not refused, (
        "these pins would be installed on Pythons their release refuses "
        f"(requires-python); run `make lock` or name the Python as unsupported: {refused}"
    )


def check_locks() -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            [sys.executable, "-m", "course_tools.lock", "--check"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=os.environ | {"UV_CACHE_DIR": str(CACHE), "UV_HTTP_TIMEOUT": "30"},
            timeout=2 * UV_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        message = "`course_tools.lock --check` hung: is the package registry reachable?"
        pytest.fail(message, pytrace=False)


def test_the_locks_are_current():
    """`course_tools.lock --check` re-resolves the .in files and finds nothing to change."""
    result = registry_work()["current"].result()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "current" in result.stdout


def test_the_pin_reader_reads_hashes_markers_and_comments():
    text = (
        "# a comment\n"
        "--index-url https://example.org/simple\n"
        "numpy==2.4.6 \\\n    --hash=sha256:00 \\\n    --hash=sha256:11\n"
        "    # via -r requirements.in\n"
        "pywinpty==3.1.2 ; os_name == 'nt'  # via terminado\n"
        "soupsieve==2.10 ; python_full_version < '3.11.5'\n"
        "soupsieve==4.1.2 ; python_full_version >= '3.11.5'\n"
    )
    read = parse_requirements(text)
    assert [str(requirement.specifier) for requirement in read] == [
        "==2.4.6",
        "==3.1.2",
        "==2.10",
        "==4.1.2",
    ]
    assert str(read[1].marker) == 'os_name == "nt"'


def test_locked_versions_follow_the_markers_of_the_machine(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text(
        "Py_WinPTY==3.1.2 ; os_name == 'nt'\n"
        "soupsieve==2.10 ; python_full_version < '3.11.5'\n"
        "soupsieve==4.1.2 ; python_full_version >= '3.11.5'\n"
    )
    windows = marker_environment((3, 11, 4), os_name="nt")
    assert locked_versions(lock, environment=windows) == {
        "py-winpty": "3.1.2",
        "soupsieve": "2.10",
    }
    linux = marker_environment((3, 11, 5), os_name="posix")
    assert locked_versions(lock, environment=linux) == {"soupsieve": "4.1.2"}


def test_the_pin_reader_names_what_it_expected():
    with pytest.raises(ValueError, match=r"expected a requirement.*'numpy = 2'"):
        parse_requirements("numpy = 2\n", "requirements.lock")
    with pytest.raises(ValueError, match=r"expected an exact pin.*numpy>=2"):
        pinned_version(Requirement("numpy>=2"))
    with pytest.raises(ValueError, match="exact pin"):
        pinned_version(Requirement("numpy==2.*"))


def pins(*lines: str) -> list[tuple[str, Requirement]]:
    return [(line, Requirement(line)) for line in lines]


def test_the_extra_lock_keeps_what_the_core_does_not_pin():
    joint = pins(
        "numpy==2.4.6",
        "scipy==1.17.1",
        "tomli==2.5.0 ; python_full_version < '3.11'",
        "tomli==2.5.0",
    )
    core = pins("numpy==2.4.6", "tomli==2.5.0 ; python_full_version < '3.11'")
    assert split_locks(joint, core) == ["scipy==1.17.1", "tomli==2.5.0"]
    with pytest.raises(ValueError, match="numpy==2.5.0"):
        split_locks(joint, pins("numpy==2.5.0"))


def test_cuda_companions_are_told_apart_from_the_rest():
    assert all(map(is_torch_companion, ["nvidia-cublas", "cuda-toolkit", "Triton"]))
    assert not any(map(is_torch_companion, ["torch", "numpy", "cudatext"]))


def test_an_extra_resolved_apart_must_agree_with_the_joint_lock():
    """Each extra is resolved with the core alone: a pin the joint lock lacks (the two
    extras would install different versions of a package they share) is an error."""
    joint = pins("numpy==2.4.6", "click==8.5.1", "jupyterhub==6.1.1")
    check_agrees(joint, pins("numpy==2.4.6", "jupyterhub==6.1.1"))
    with pytest.raises(ValueError, match="click==8.4.0"):
        check_agrees(joint, pins("numpy==2.4.6", "click==8.4.0"))
