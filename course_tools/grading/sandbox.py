"""The sandbox a student's kernel runs in while it is graded (instructors; `course grade`).

Each submission's kernel runs inside bubblewrap (Debian package `bubblewrap`, command
`bwrap`), which needs no Docker and no setuid program. The grader may run as root or as an
ordinary user; the kernel gets the same isolation either way:

- the file system it sees holds only the operating system, the Python environment, the
  installed `course_utils` package and a scratch folder of its own: no `solutions/`, no
  gradebook, no hidden tests on disk, no other student's work, no home folder of the
  grader's;
- everything is read-only except that scratch folder and a private `/tmp`;
- it has no network (`--unshare-net`); it talks to the grader over ZMQ `ipc` sockets in a
  folder bound into the sandbox;
- it is one unprivileged user id with no capabilities. For a grader that is not root,
  bwrap gives it a user namespace of its own (`--unshare-user`, the submission's id mapped
  to the grader's) in which it may not create another (`--disable-userns`, where bwrap
  has it). For a grader that is root, bwrap mounts with root's rights (so a Python only
  root can read, e.g. under /root, can be bound) and the kernel then drops to a user id of
  its own per submission (setpriv: no groups, no capabilities, no new privileges), which
  owns nothing outside its scratch folder; a user namespace there would map the kernel
  to root outside it;
- it has a process namespace of its own (`--unshare-pid`): it sees only its own processes,
  never the grader's or another kernel's. Interrupts go through the kernel's control
  channel (interrupt mode "message"), liveness is the bwrap process's, and stopping it
  kills that process, which takes the whole namespace with it;
- its real memory (resident pages, not address space) is limited by a cgroup where the
  grader can create one: cgroup v2 `memory.max` (root, or a delegated subtree with the
  memory controller), else cgroup v1 `memory.limit_in_bytes`; elsewhere the grader reads
  the resident set of the sandbox's processes from /proc every 50 ms and kills the
  submission when it passes the limit. The result says which was used. An address-space
  limit of three times the memory limit stays as a backstop only (PyTorch reserves
  address space far beyond what it touches, so address space is not the limit);
- it has limits on CPU seconds, processes, the size of a file and of its `/tmp`; the time
  per cell and the wall time of the whole submission are enforced by the grader, which
  interrupts the cell, or kills the submission, when they run over.

Where bubblewrap is missing or user namespaces are switched off, the grader refuses to
run, unless the instructor asks for the unsandboxed fallback explicitly.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
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
USERNS_HINT = (
    "unprivileged user namespaces are switched off here (Debian/Ubuntu: `sudo sysctl "
    "kernel.unprivileged_userns_clone=1`, and on Ubuntu 24.04 or later an AppArmor profile "
    "for bwrap or `sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0`)"
)

# Paths of the operating system that a Python kernel needs, bound read-only when present.
SYSTEM_PATHS = ("/usr", "/etc", "/opt")
SYSTEM_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# The address-space limit is this many times the memory limit: a backstop, never the limit.
ADDRESS_SPACE_BACKSTOP = 3
# COURSE_GRADING_MEMORY=poll makes the grader poll /proc even where it could use a cgroup.
MEMORY_CHOICE = "COURSE_GRADING_MEMORY"


class SandboxUnavailable(RuntimeError):
    """bubblewrap is not installed or cannot create a sandbox on this machine."""


def bwrap_path() -> str | None:
    """The bwrap executable, or None where bubblewrap is not installed (instructors)."""
    return shutil.which("bwrap")


_BWRAP_OPTIONS: dict[str, bool] = {}
_CHECKED: dict[
    str, int
] = {}  # bwrap paths that made a sandbox, with the user id that ran them


def bwrap_has(path: str, option: str) -> bool:
    """Whether this bwrap knows `option` (e.g. --disable-userns, bubblewrap 0.8 and later)."""
    key = f"{path} {option}"
    if key not in _BWRAP_OPTIONS:
        helptext = subprocess.run([path, "--help"], capture_output=True, text=True)
        _BWRAP_OPTIONS[key] = option in helptext.stdout + helptext.stderr
    return _BWRAP_OPTIONS[key]


def drop_privileges(uid: int) -> list[str]:
    """The setpriv prefix that runs a command as `uid` with no groups and no capabilities."""
    return [
        "setpriv",
        f"--reuid={uid}",
        f"--regid={uid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
        "--",
    ]


def check_sandbox() -> str:
    """Verify that a sandbox can be created here; return bwrap's path or raise SandboxUnavailable (instructors).

    The probe makes the namespaces a kernel gets: process and network, and for a grader
    that is not root a user namespace."""
    path = bwrap_path()
    if path is None:
        raise SandboxUnavailable(
            f"bubblewrap (`bwrap`) was not found on PATH: {INSTALL_HINT}"
        )
    if _CHECKED.get(path) == os.geteuid():
        return path
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        raise SandboxUnavailable(
            "setpriv (util-linux) is needed to drop privileges: install util-linux"
        )
    user = [] if os.geteuid() == 0 else ["--unshare-user"]
    probe = subprocess.run(
        [
            path,
            "--ro-bind",
            "/",
            "/",
            *user,
            "--unshare-pid",
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
            f"{USERNS_HINT}; or {INSTALL_HINT}"
        )
    _CHECKED[path] = os.geteuid()
    return path


@dataclass
class Limits:
    """Resource limits of one submission: wall seconds (whole submission), seconds per cell,
    CPU seconds, real memory in bytes (resident, see MemoryGuard), processes, bytes per
    file and of /tmp."""

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

    @property
    def address_space(self) -> int:
        """The address-space backstop: far above the memory limit, which is what binds."""
        return ADDRESS_SPACE_BACKSTOP * self.memory


@dataclass
class SandboxSettings:
    """What one submission's kernel may see: its scratch folder, its user id, its limits."""

    scratch: Path  # the kernel's working directory (read-write)
    runtime: Path  # ZMQ ipc sockets and the connection file (read-write)
    uid: int  # its user id inside the sandbox (and outside it when the grader is root)
    limits: Limits = field(default_factory=Limits)
    readonly: list[Path] = field(
        default_factory=list
    )  # extra read-only paths (the Python env, course_utils)
    guard_file: Path | None = None
    enabled: bool = True
    memory: MemoryGuard | None = None  # the real-memory limit; None: address space only


def python_paths() -> list[Path]:
    """The folders this Python needs: its environment, its base installation, the
    site-packages folders on its path (a virtual environment may add another's), the
    course's helpers (course_utils) and the grading guard's package (course_tools, no
    solutions). A folder this user cannot read is left out (the kernel could not use it)."""
    import course_tools
    import course_utils

    paths = {
        Path(sys.prefix),
        Path(sys.base_prefix),
        Path(sys.executable).resolve().parent.parent,
        Path(course_utils.__file__).resolve().parent,
        Path(course_tools.__file__).resolve().parent,
    }
    paths |= {
        Path(entry).resolve()
        for entry in sys.path
        if Path(entry).name in {"site-packages", "dist-packages"}
        and Path(entry).is_dir()
    }
    return sorted(path for path in paths if os.access(path, os.R_OK | os.X_OK))


def resource_limits(limits: Limits, *, sandboxed: bool = True) -> list[str]:
    """The prlimit prefix: CPU seconds, the address-space backstop, no core files, and in
    the sandbox the processes and the size of a file."""
    argv = [
        "prlimit",
        f"--as={limits.address_space}",
        f"--cpu={limits.cpu}",
        "--core=0",
    ]
    if sandboxed:
        argv += [f"--nproc={limits.processes}", f"--fsize={limits.disk}"]
    return argv + ["--"]


def sandbox_command(
    command: list[str], settings: SandboxSettings, bwrap: str
) -> list[str]:
    """`command` wrapped in [cgroup] + prlimit + bwrap [+ setpriv, as root] according to `settings`."""
    limits = settings.limits
    argv = []
    if settings.memory is not None:
        argv += settings.memory.join_prefix()
    argv += resource_limits(limits)
    argv.append(bwrap)
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
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--new-session",
        "--die-with-parent",
        "--hostname",
        "grading",
    ]
    if os.geteuid() == 0:
        # bwrap mounts with root's rights (so folders only root can reach, such as a Python
        # under /root, can be bound), then the kernel drops to the submission's own user id.
        return argv + ["--", *drop_privileges(settings.uid), *command]
    argv += ["--unshare-user", "--uid", str(settings.uid), "--gid", str(settings.uid)]
    if bwrap_has(bwrap, "--disable-userns"):
        argv.append("--disable-userns")
    return argv + ["--", *command]


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
    kernel_process: subprocess.Popen | None = (
        None  # bwrap (the kernel without a sandbox)
    )
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
            self.kernel_spec.interrupt_mode = "message"  # over the control channel: no signal has to reach the namespace
            self.kernel_spec.argv = [
                sys.executable,
                "-m",
                "course_tools.grading.guard",
                "-f",
                "{connection_file}",
            ]
            if settings.enabled:
                # In its process namespace the kernel's parent is bwrap's pid 1, which
                # ipykernel takes for a dead parent: no parent poller (bwrap's
                # --die-with-parent stops the kernel when the grader goes).
                self.kernel_spec.argv.append("--IPKernelApp.parent_handle=1")
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
            prefix = settings.memory.join_prefix() if settings.memory else []
            kernel_cmd = [
                *prefix,
                *resource_limits(settings.limits, sandboxed=False),
                *kernel_cmd,
            ]
        await super()._async_launch_kernel(kernel_cmd, **kw)
        process = getattr(self.provisioner, "process", None)
        SandboxKernelManager.kernel_process = process
        if settings.memory is not None and process is not None:
            settings.memory.watch(process)


def prepare_folder(path: Path, uid: int) -> Path:
    """Create `path` (empty) and give it to the sandbox's user id (root only; otherwise
    the grader's own user id is the one mapped into the sandbox)."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        for root, _dirs, files in os.walk(path):
            os.chown(root, uid, uid)
            for name in files:
                os.chown(os.path.join(root, name), uid, uid)
    return path


def kill_user(uid: int) -> int:
    """Kill every process left running under the sandbox's own user id (root only: the
    grader started them); returns how many."""
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


def process_tree(pid: int) -> list[int]:
    """`pid` and every process descended from it, read from /proc (empty once it is gone)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        parent = int(stat.rsplit(b")", 1)[1].split()[1])
        parents.setdefault(parent, []).append(int(entry))
    if not os.path.exists(f"/proc/{pid}"):
        return []
    tree, queue = [], [pid]
    while queue:
        current = queue.pop()
        tree.append(current)
        queue.extend(parents.get(current, []))
    return tree


def resident_bytes(pids: list[int]) -> int:
    """The resident set of these processes together (bytes)."""
    page = os.sysconf("SC_PAGE_SIZE")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
    return total


def kill_tree(process: subprocess.Popen | None) -> int:
    """SIGKILL `process` (the sandbox's bwrap, a child of this one) and every process under
    it; returns how many. Killing bwrap alone would do (its child dies with it and takes the
    process namespace along). Nothing is sent once `process` has been waited for: its
    process id may belong to another process by then."""
    if process is None or process.poll() is not None:
        return 0
    killed = 0
    for member in process_tree(process.pid):
        try:
            os.kill(member, signal.SIGKILL)
            killed += 1
        except (ProcessLookupError, PermissionError):
            continue
    return killed


def format_bytes(size: float) -> str:
    """2.5 GiB, 512 MiB."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size:.0f} B"


def _mounts() -> list[tuple[str, str, str, str]]:
    """(mount point, root of the mount, file system type, super options) of every mount."""
    found = []
    try:
        text = Path("/proc/self/mountinfo").read_text()
    except OSError:
        return found
    for line in text.splitlines():
        before, _, after = line.partition(" - ")
        fields, tail = before.split(), after.split()
        if len(fields) >= 5 and len(tail) >= 3:
            found.append((fields[4], fields[3], tail[0], tail[2]))
    return found


def _own_cgroup(version: int) -> Path | None:
    """This process's cgroup folder for the memory controller (cgroup v2, or v1's memory
    hierarchy), or None where there is none mounted."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    relative = None
    for line in lines:
        number, controllers, path = line.split(":", 2)
        if version == 2 and number == "0" and controllers == "":
            relative = path
        elif version == 1 and "memory" in controllers.split(","):
            relative = path
    if relative is None:
        return None
    for point, root, kind, options in _mounts():
        if version == 2 and kind != "cgroup2":
            continue
        if version == 1 and (kind != "cgroup" or "memory" not in options.split(",")):
            continue
        inner = relative
        if root != "/" and (inner == root or inner.startswith(root + "/")):
            inner = inner[len(root) :]
        folder = Path(point) / inner.lstrip("/")
        if folder.is_dir():
            return folder
    return None


class MemoryGuard:
    """The real-memory limit of one submission's sandbox, and how it is enforced:

    - "cgroup v2": a child cgroup with `memory.max` (and `memory.swap.max` 0); the kernel's
      out-of-memory killer stops the submission, and `memory.events` says it did;
    - "cgroup v1": the same with `memory.limit_in_bytes` and `memory.oom_control`;
    - "polled": no cgroup could be made (an ordinary user without a delegated subtree):
      the grader sums the resident set of the sandbox's processes from /proc every 50 ms
      (the whole tree every 0.5 s) and kills the sandbox when the sum passes the limit.

    `MemoryGuard.create` picks the first that works; COURSE_GRADING_MEMORY=poll forces
    polling, =cgroup refuses to fall back to it.
    """

    INTERVAL = 0.05
    RESCAN = 10  # read the whole process tree every RESCAN intervals

    def __init__(self, limit: int, kind: str, cgroup: Path | None = None):
        self.limit, self.kind, self.cgroup = limit, kind, cgroup
        self.tripped = False
        self.peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def create(cls, limit: int, name: str) -> MemoryGuard:
        choice = os.environ.get(MEMORY_CHOICE, "auto")
        if choice != "poll":
            for version in (2, 1):
                folder = cls._make_cgroup(version, limit, name)
                if folder is not None:
                    return cls(limit, f"cgroup v{version}", folder)
            if choice == "cgroup":
                raise SandboxUnavailable(
                    f"{MEMORY_CHOICE}=cgroup, but no memory cgroup can be created here"
                )
        return cls(limit, "polled")

    @staticmethod
    def _make_cgroup(version: int, limit: int, name: str) -> Path | None:
        parent = _own_cgroup(version)
        if parent is None or not os.access(parent, os.W_OK):
            return None
        folder = parent / name
        try:
            if folder.is_dir():
                _release_cgroup(folder)
            folder.mkdir()
            if version == 2:
                if not (folder / "memory.max").exists():
                    (parent / "cgroup.subtree_control").write_text("+memory")
                (folder / "memory.max").write_text(str(limit))
                if (folder / "memory.swap.max").exists():
                    (folder / "memory.swap.max").write_text("0")
            else:
                (folder / "memory.limit_in_bytes").write_text(str(limit))
                try:  # no swap either, where swap is accounted
                    (folder / "memory.memsw.limit_in_bytes").write_text(str(limit))
                except OSError:
                    pass
            return folder
        except OSError:
            _release_cgroup(folder)
            return None

    def describe(self) -> str:
        """What enforces the limit, in words for the result and the report."""
        if self.kind == "cgroup v2":
            return f"cgroup v2 memory.max ({self.cgroup})"
        if self.kind == "cgroup v1":
            return f"cgroup v1 memory.limit_in_bytes ({self.cgroup})"
        return "the grader polled the resident set of the sandbox's processes (/proc, every 50 ms)"

    def join_prefix(self) -> list[str]:
        """The command prefix that moves the kernel into the cgroup before anything else runs."""
        if self.cgroup is None:
            return []
        return [
            "sh",
            "-c",
            'echo $$ > "$0" && exec "$@"',
            str(self.cgroup / "cgroup.procs"),
        ]

    def watch(self, process: subprocess.Popen) -> None:
        """Start polling the tree under `process`, a child of this one (polled mode only)."""
        if self.cgroup is not None or self._thread is not None:
            return
        self._thread = threading.Thread(
            target=self._poll, args=(process,), name="memory-guard", daemon=True
        )
        self._thread.start()

    def _poll(self, process: subprocess.Popen) -> None:
        tree: list[int] = []
        rounds = 0
        while not self._stop.is_set() and process.poll() is None:
            if rounds % self.RESCAN == 0:
                tree = process_tree(process.pid)
            rounds += 1
            used = resident_bytes(tree)
            self.peak = max(self.peak, used)
            if used > self.limit:
                self.tripped = True
                kill_tree(process)
                return
            self._stop.wait(self.INTERVAL)

    def _read(self, name: str, key: str) -> int:
        try:
            for line in (self.cgroup / name).read_text().splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[0] == key:
                    return int(parts[1])
        except (OSError, TypeError, ValueError):
            pass
        return 0

    def exceeded(self) -> bool:
        """Whether the limit stopped a process of the submission."""
        if self.kind == "cgroup v2":
            return self._read("memory.events", "oom_kill") > 0
        if self.kind == "cgroup v1":
            return self._read("memory.oom_control", "oom_kill") > 0
        return self.tripped

    def peak_bytes(self) -> int | None:
        """The most memory the submission held (cgroup: as charged; polled: as seen)."""
        names = {"cgroup v2": "memory.peak", "cgroup v1": "memory.max_usage_in_bytes"}
        if self.kind in names:
            try:
                return int((self.cgroup / names[self.kind]).read_text().strip())
            except (OSError, ValueError):
                return None
        return self.peak

    def report(self) -> dict:
        return {
            "limit": self.limit,
            "enforcement": self.kind,
            "how": self.describe(),
            "peak": self.peak_bytes(),
            "exceeded": self.exceeded(),
        }

    def close(self) -> None:
        """Stop polling; kill what is left in the cgroup and remove it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.cgroup is not None:
            _release_cgroup(self.cgroup)


def _release_cgroup(folder: Path) -> None:
    """Kill the processes left in a cgroup this grader made, then remove it."""
    for _ in range(50):
        try:
            pids = [int(p) for p in (folder / "cgroup.procs").read_text().split()]
        except OSError:
            pids = []
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            folder.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.02)


def release_cgroup(uid: int) -> None:
    """Remove the cgroup of the submission graded as `uid`, if a killed worker left it."""
    for version in (2, 1):
        parent = _own_cgroup(version)
        if parent is not None and (parent / cgroup_name(uid)).is_dir():
            _release_cgroup(parent / cgroup_name(uid))


def cgroup_name(uid: int) -> str:
    """The name of a submission's cgroup (under the grader's own)."""
    return f"course-grade-{uid}"
