"""The sandbox a student's kernel runs in while it is graded (instructors; `course grade`).

Each submission's kernel runs inside bubblewrap (Debian package `bubblewrap`, command
`bwrap`), which needs no Docker and works on a plain Linux machine run as root:

- the file system it sees holds only the operating system, the Python environment, the
  installed `course_utils` package and a scratch folder of its own: no `solutions/`, no
  gradebook, no hidden tests on disk, no other student's work;
- everything is read-only except that scratch folder and a private `/tmp`;
- it has no network (`--unshare-net`); it talks to the grader over ZMQ `ipc` sockets in a
  folder bound into the sandbox;
- it runs as an unprivileged user id of its own (one per submission, no capabilities), so
  it cannot look into the grader's or another kernel's `/proc/<pid>/`;
- it has limits on CPU seconds, address space (memory), processes, the size of a file and
  of its `/tmp`; the time per cell and the wall time of the whole submission are enforced
  by the grader, which interrupts the cell, or kills the submission, when they run over.

The process namespace is shared on purpose (no `--unshare-pid`): interrupts and the
grader's liveness checks keep working. Where bubblewrap is missing the grader refuses to
run, unless the instructor asks for the unsandboxed fallback explicitly.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import zmq.asyncio
from jupyter_client.manager import AsyncKernelManager
from traitlets import default

INSTALL_HINT = (
    "install bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`; Fedora: `sudo dnf install "
    "bubblewrap`), or pass --no-sandbox to grade WITHOUT isolation (only for submissions you trust)"
)

# Paths of the operating system that a Python kernel needs, bound read-only when present.
SYSTEM_PATHS = ("/usr", "/etc", "/opt")
SYSTEM_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")


class SandboxUnavailable(RuntimeError):
    """bubblewrap is not installed or cannot create a sandbox on this machine."""


def bwrap_path() -> str | None:
    """The bwrap executable, or None where bubblewrap is not installed (instructors)."""
    return shutil.which("bwrap")


def check_sandbox() -> str:
    """Verify that a sandbox can be created here; return bwrap's path or raise SandboxUnavailable (instructors)."""
    path = bwrap_path()
    if path is None:
        raise SandboxUnavailable(
            f"bubblewrap (`bwrap`) was not found on PATH: {INSTALL_HINT}"
        )
    import subprocess

    probe = subprocess.run(
        [
            path,
            "--ro-bind",
            "/",
            "/",
            "--unshare-net",
            "--die-with-parent",
            "--",
            "true",
        ],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        raise SandboxUnavailable(
            f"bubblewrap is installed but cannot create a sandbox here ({probe.stderr.strip()}): "
            f"{INSTALL_HINT}"
        )
    if os.geteuid() != 0 and shutil.which("setpriv") is None:
        raise SandboxUnavailable(
            "setpriv (util-linux) is needed to drop privileges: install util-linux"
        )
    return path


@dataclass
class Limits:
    """Resource limits of one submission: wall seconds (whole submission), seconds per cell,
    CPU seconds, address space in bytes, processes (of its user id), bytes per file and of /tmp."""

    wall: float = 900.0
    cell: int = 120
    cpu: int = 600
    memory: int = 4 * 2**30
    processes: int = 512
    disk: int = 512 * 2**20

    def as_dict(self) -> dict:
        return {
            "wall": self.wall,
            "cell": self.cell,
            "cpu": self.cpu,
            "memory": self.memory,
            "processes": self.processes,
            "disk": self.disk,
        }


@dataclass
class SandboxSettings:
    """What one submission's kernel may see: its scratch folder, its user id, its limits."""

    scratch: Path  # the kernel's working directory (read-write)
    runtime: Path  # ZMQ ipc sockets and the connection file (read-write)
    uid: int
    limits: Limits = field(default_factory=Limits)
    readonly: list[Path] = field(
        default_factory=list
    )  # extra read-only paths (the Python env, course_utils)
    guard_file: Path | None = None
    enabled: bool = True


def python_paths() -> list[Path]:
    """The folders this Python needs: its environment, its base installation, the course's
    helpers (course_utils) and the grading guard's package (course_tools, no solutions)."""
    import course_tools
    import course_utils

    paths = {
        Path(sys.prefix),
        Path(sys.base_prefix),
        Path(sys.executable).resolve().parent.parent,
        Path(course_utils.__file__).resolve().parent,
        Path(course_tools.__file__).resolve().parent,
    }
    return sorted(paths)


def sandbox_command(
    command: list[str], settings: SandboxSettings, bwrap: str
) -> list[str]:
    """`command` wrapped in prlimit + bwrap + setpriv according to `settings`."""
    limits = settings.limits
    argv = [
        "prlimit",
        f"--as={limits.memory}",
        f"--cpu={limits.cpu}",
        "--core=0",
        f"--nproc={limits.processes}",
        f"--fsize={limits.disk}",
        "--",
        bwrap,
    ]
    for path in SYSTEM_PATHS:
        if os.path.isdir(path):
            argv += ["--ro-bind", path, path]
    for path in SYSTEM_LINKS:
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            argv += ["--ro-bind", path, path]
    argv += [
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        "--perms",
        "1777",
        "--size",
        str(limits.disk),
        "--tmpfs",
        "/tmp",
    ]
    made: set[str] = {"/", "/usr", "/etc", "/opt", "/dev", "/proc", "/tmp"}

    def parents(path: Path) -> list[str]:
        out = []
        for parent in reversed(path.parents):
            text = str(parent)
            if text not in made:
                made.add(text)
                out += ["--perms", "0755", "--dir", text]
        return out

    for path in [*settings.readonly]:
        argv += parents(path) + ["--ro-bind", str(path), str(path)]
        made.add(str(path))
    for path in (settings.scratch, settings.runtime):
        argv += parents(path) + ["--bind", str(path), str(path)]
        made.add(str(path))
    argv += [
        "--chdir",
        str(settings.scratch),
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--new-session",
        "--die-with-parent",
        "--hostname",
        "grading",
        "--",
    ]
    if os.geteuid() == 0:
        argv += [
            "setpriv",
            f"--reuid={settings.uid}",
            f"--regid={settings.uid}",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--no-new-privs",
            "--",
        ]
    return argv + command


def kernel_environment(
    settings: SandboxSettings, inherited: dict[str, str]
) -> dict[str, str]:
    """A clean environment for the kernel: nothing of the grader's, its home in its scratch folder."""
    home = settings.scratch / ".home"
    env = {
        "PATH": os.pathsep.join(
            [str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]
        ),
        "HOME": str(home),
        "IPYTHONDIR": str(home / ".ipython"),
        "MPLCONFIGDIR": str(home / ".matplotlib"),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_DATA_DIR": str(home / ".jupyter-data"),
        "JUPYTER_RUNTIME_DIR": str(settings.runtime),
        "JUPYTER_PLATFORM_DIRS": "1",
        # Grading draws no pictures: with the inline backend, a figure drawn inside a
        # widget's output kept nbclient waiting for the cell's whole time limit (120 s a
        # widget cell; jupyter/nbclient#312). The student's own notebook has the figures.
        "MPLBACKEND": "Agg",
        "TMPDIR": "/tmp",
        "LANG": inherited.get("LANG", "C.UTF-8"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
    }
    for name in ("NBGRADER_EXECUTION", "COURSE_QUICK", "COURSE_DEVICE", "VIRTUAL_ENV"):
        if name in inherited:
            env[name] = inherited[name]
    if settings.guard_file is not None:
        env["COURSE_GUARD_FILE"] = str(settings.guard_file)
    return env


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager that starts the guarded kernel inside the submission's sandbox.

    nbgrader's Execute preprocessor takes it as `kernel_manager_class`. The settings of the
    submission being graded are in the class attribute `settings` (one submission per process).
    """

    settings: SandboxSettings | None = None
    open_logs: list = []
    shared_context: zmq.asyncio.Context | None = None

    @default("context")
    def _context_default(self) -> zmq.asyncio.Context:
        # One ZMQ context for every kernel this process grades, never destroyed: a context
        # left to the garbage collector can block forever in term() on a socket still open.
        if SandboxKernelManager.shared_context is None:
            SandboxKernelManager.shared_context = zmq.asyncio.Context()
        self._created_context = False
        return SandboxKernelManager.shared_context

    async def _async_pre_start_kernel(self, **kw):
        settings = type(self).settings
        if settings is None:
            raise RuntimeError("SandboxKernelManager.settings is not set")
        settings.runtime.mkdir(parents=True, exist_ok=True)
        self.transport = "ipc"
        self.ip = str(settings.runtime / "kernel")
        self.connection_file = str(settings.runtime / "connection.json")
        if self.kernel_spec is not None:
            self.kernel_spec.interrupt_mode = (
                "message"  # signals do not cross bwrap; ipykernel interrupts itself
            )
            self.kernel_spec.argv = [
                sys.executable,
                "-m",
                "course_tools.grading.guard",
                "-f",
                "{connection_file}",
            ]
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        settings = type(self).settings
        assert settings is not None
        kw["env"] = kernel_environment(settings, dict(kw.get("env") or os.environ))
        kw["cwd"] = str(settings.scratch)
        # The kernel's own stdout and stderr (not what cells print, which goes over ZMQ) go to a log.
        log = open(settings.scratch.parent / "kernel.log", "ab")
        kw["stdout"] = kw["stderr"] = log
        SandboxKernelManager.open_logs.append(log)
        if os.geteuid() == 0:
            for path in (Path(self.connection_file), settings.guard_file):
                if path is not None and path.exists():
                    os.chown(path, settings.uid, settings.uid)
        if settings.enabled:
            kernel_cmd = sandbox_command(kernel_cmd, settings, check_sandbox())
        else:  # the instructor asked for no sandbox: same guard, same limits on CPU and memory, no isolation
            limits = settings.limits
            kernel_cmd = [
                "prlimit",
                f"--as={limits.memory}",
                f"--cpu={limits.cpu}",
                "--core=0",
                "--",
                *kernel_cmd,
            ]
        await super()._async_launch_kernel(kernel_cmd, **kw)


def prepare_folder(path: Path, uid: int) -> Path:
    """Create `path` (empty) and give it to the sandbox's user id."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        for root, _dirs, files in os.walk(path):
            os.chown(root, uid, uid)
            for name in files:
                os.chown(os.path.join(root, name), uid, uid)
    return path


def kill_user(uid: int) -> int:
    """Kill every process left running under the sandbox's own user id (the grader started them); returns how many."""
    if os.geteuid() != 0 or uid < 1000:
        return 0
    killed = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.stat(f"/proc/{entry}").st_uid == uid:
                os.kill(int(entry), signal.SIGKILL)
                killed += 1
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    if killed:
        time.sleep(0.05)
    return killed
