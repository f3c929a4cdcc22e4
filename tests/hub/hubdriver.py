"""The machine side of the hub tests: system users, a Python they can run, the hub.

Everything is made under one folder of /tmp (mode 0755: the hub's users must read it)
and removed afterwards; every user and group the tests create is named with PREFIX.
"""

from __future__ import annotations

import grp
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from pathlib import Path

PREFIX = "chubt"  # "course hub test": `getent passwd | grep ^chubt` finds leftovers
REPOSITORY = Path(__file__).resolve().parents[2]
START_HUB = REPOSITORY / "deploy" / "jupyterhub" / "start_hub.py"
PROXY = REPOSITORY / ".venv" / "hub-proxy" / "node_modules" / ".bin"
PROXY = PROXY / "configurable-http-proxy"


def readable_by_all(path: Path) -> bool:
    """Every folder above `path` lets others through, and `path` lets them read."""
    path = path.resolve()
    for folder in [*path.parents]:
        if not os.stat(folder).st_mode & 0o001:
            return False
    return bool(os.stat(path).st_mode & 0o004)


def _link(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system
        shutil.copy2(source, target)


def readable_interpreter(target: Path) -> Path:
    """The course environment's own interpreter, where every user can run it: itself
    when they can, else linked with its standard library into `target`.

    It must be that very build: the environment's packages may need its patch release
    (soupsieve 4 needs Python 3.11.5; Debian 12's is 3.11.2). The linked binary still
    names its library folder under the original prefix, which others cannot enter, so a
    small script starts it with LD_LIBRARY_PATH on the linked libpython."""
    executable = Path(sys._base_executable).resolve()
    if readable_by_all(executable):
        return executable
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    base = Path(sys.base_prefix)
    stdlib = Path(sysconfig.get_paths(vars={"installed_base": str(base)})["stdlib"])
    interpreter = target / "interpreter"
    skip = {"site-packages", "test", "__pycache__", "idlelib", "tkinter"}
    shutil.copytree(
        stdlib,
        interpreter / "lib" / version,
        copy_function=_link,
        ignore=lambda folder, names: [name for name in names if name in skip],
    )
    for library in (base / "lib").glob("libpython*.so*"):
        _link(str(library), str(interpreter / "lib" / library.name))
    binary = interpreter / "bin" / f"{version}.real"
    binary.parent.mkdir(parents=True)
    _link(str(executable), str(binary))
    wrapper = interpreter / "bin" / version
    wrapper.write_text(  # bash: dash's exec has no -a
        "#!/bin/bash\n"
        f'LD_LIBRARY_PATH="{interpreter / "lib"}${{LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}}" '
        f'exec -a "$0" "{binary}" "$@"\n'
    )
    wrapper.chmod(0o755)
    (interpreter / "bin" / "python").symlink_to(version)
    (interpreter / "bin" / "python3").symlink_to(version)
    return wrapper


def readable_environment(target: Path) -> Path:
    """A Python for the hub's users: the course's environment, reached through a folder
    they can read. Returns its `python`.

    The environment's packages are in the repository (readable by all here and in CI),
    but its interpreter may live where other users cannot go (pyenv under /root). A
    virtual environment in `target` then uses that interpreter (readable_interpreter)
    with the course's site-packages, share/ and etc/ folders."""
    venv = Path(sys.prefix)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    interpreter = readable_interpreter(target)
    environment = target / "env"
    (environment / "bin").mkdir(parents=True)
    (environment / "lib" / version).mkdir(parents=True)
    (environment / "pyvenv.cfg").write_text(
        f"home = {interpreter.parent}\ninclude-system-site-packages = false\n"
    )
    python = environment / "bin" / "python"
    python.symlink_to(interpreter)
    (environment / "lib" / version / "site-packages").symlink_to(
        venv / "lib" / version / "site-packages"
    )
    # Linked file by file, not as a folder: `course grade`'s sandbox shows the grader
    # this environment's own folders only, and nbconvert's templates are in share/.
    for folder in ("share", "etc"):
        if (venv / folder).is_dir():
            shutil.copytree(venv / folder, environment / folder, copy_function=_link)
    # The environment's commands (nbgrader collect runs `alembic`), through this Python.
    for script in (venv / "bin").iterdir():
        if script.name.startswith("python") or not script.is_file():
            continue
        with script.open("rb") as file:
            if b"python" not in file.readline():
                continue
        wrapper = environment / "bin" / script.name
        wrapper.write_text(f'#!/bin/sh\nexec "{python}" "{script}" "$@"\n')
        wrapper.chmod(0o755)
    for path in [target, *target.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    return python


def kill_processes_of(uid: int) -> None:
    """SIGKILL every process whose real or effective user is `uid` (their servers and
    kernels), read from /proc, so nothing else is needed (procps may be missing)."""
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            uids = next(
                line.split()[1:3]
                for line in status.read_text().splitlines()
                if line.startswith("Uid:")
            )
            if str(uid) in uids:
                os.kill(int(status.parent.name), signal.SIGKILL)
        except (OSError, StopIteration, ValueError):
            continue  # gone meanwhile


class SystemUsers:
    """System users named PREFIX-<run>-<role>, with passwords, homes under `homes`."""

    def __init__(self, homes: Path):
        self.homes = homes
        self.run = secrets.token_hex(2)
        self.created: list[str] = []
        self.passwords: dict[str, str] = {}

    def add(self, role: str) -> str:
        name = f"{PREFIX}-{self.run}-{role}"
        home = self.homes / name
        subprocess.run(
            [
                "useradd",
                "--create-home",
                "--home-dir",
                str(home),
                "--shell",
                "/bin/bash",
                "--user-group",
                name,
            ],
            check=True,
            capture_output=True,
        )
        self.created.append(name)
        home.chmod(0o700)
        password = secrets.token_urlsafe(12)
        subprocess.run(
            ["chpasswd"], input=f"{name}:{password}\n", text=True, check=True
        )
        self.passwords[name] = password
        return name

    def remove_all(self) -> list[str]:
        """Remove every user and group made here, with their processes. Returns problems."""
        problems = []
        for name in reversed(self.created):
            kill_processes_of(pwd.getpwnam(name).pw_uid)
            result = subprocess.run(
                ["userdel", "--remove", name], capture_output=True, text=True
            )
            if result.returncode not in (0, 12):  # 12: home folder already gone
                problems.append(f"userdel {name}: {result.stderr.strip()}")
            try:
                grp.getgrnam(name)
            except KeyError:
                continue
            subprocess.run(["groupdel", name], capture_output=True)
        self.created.clear()
        return problems


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class Hub:
    """start_hub.py in its own process group, on a loopback port."""

    def __init__(self, arguments: list[str], log: Path, port: int):
        self.arguments = arguments
        self.log = log
        self.port = port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> Hub:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    str(START_HUB),
                    "--port",
                    str(self.port),
                    *self.arguments,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the hub stopped at start:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/hub/api", timeout=2) as reply:
                    if reply.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the hub did not answer in {timeout} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM: the hub stops every user's server and the proxy; then the group."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)
        self.process = None

    def log_tail(self, chars: int = 6000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no hub log)"
