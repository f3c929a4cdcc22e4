"""Start the course's JupyterHub on this machine (`make hub`, as root).

    sudo .venv/bin/python deploy/jupyterhub/start_hub.py --root /srv/attention-hub \\
        --instructor teacher --students alice,bob --port 8000

It checks the machine first and stops with a clear error when something is wrong: not
root, a user that does not exist, an exchange folder with the wrong owner or mode, a
Python the students cannot run, no proxy. Then it lays out the hub's folder (below) and
runs JupyterHub with jupyterhub_config.py until it is stopped (Ctrl-C or SIGTERM, which
also stops every user's server and the proxy).

    <root>/                   root, 0755
      state/                  root, 0700: the hub's database, cookie secret, proxy pid
      exchange/               root, 1777: nbgrader's exchange (the sticky bit stops a
                              user from removing another's files)
      etc/instructor/         the instructor's Jupyter configuration: exchange, course
      etc/student/            the students': exchange, course id; formgrader off
      settings.json           what jupyterhub_config.py reads
    <course>                  the instructor's course folder (default <root>/course,
                              owned by the instructor, 0700): a copy of solutions/,
                              notebooks/ and nbgrader_config.py, made once
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent.parent
COURSE_ID = "attention-transformers"
PROXY = REPOSITORY / ".venv" / "hub-proxy" / "node_modules" / ".bin"
PROXY = PROXY / "configurable-http-proxy"
# What a student's server must be able to import from the course's Python.
NEEDED = "import jupyterhub, jupyterlab, nbgrader, course_utils"
# nbgrader's JupyterLab plugins and server extensions a student does not get.
INSTRUCTOR_ONLY_PLUGINS = ["formgrader", "create-assignment", "course-list"]
INSTRUCTOR_ONLY_EXTENSIONS = ["formgrader", "course_list"]


class HubError(Exception):
    """A problem with the machine or the arguments, said in one sentence or two."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def check_root() -> None:
    if os.geteuid() != 0:
        raise HubError(
            "the hub must start as root: it reads passwords through PAM and starts each "
            "user's server as that user. Run `sudo make hub` (or this script with sudo)."
        )


def check_users(names: list[str], role: str) -> None:
    if not names:
        raise HubError(f"no {role} named: give at least one")
    for name in names:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            raise HubError(
                f"no system user {name!r} ({role}): create it first "
                f"(`useradd -m {name}` and `passwd {name}`)"
            ) from None
        if entry.pw_uid == 0:
            raise HubError(f"{name!r} ({role}) is root: the hub serves no root user")
        home = Path(entry.pw_dir)
        if not home.is_dir():
            raise HubError(
                f"{name!r} ({role}) has no home folder ({entry.pw_dir}): its server "
                f"starts there; create it (`mkhomedir_helper {name}`)"
            )
        if home.stat().st_mode & 0o007:
            print(
                f"warning: {name}'s home {home} is open to other users (mode "
                f"{home.stat().st_mode & 0o777:04o}): its notebooks are readable by "
                f"the class; `chmod 700 {home}`",
                file=sys.stderr,
            )


def check_exchange(exchange: Path) -> None:
    """nbgrader's exchange: a folder of root's, writable by all, with the sticky bit."""
    if not exchange.exists():
        exchange.mkdir(parents=True)
        os.chown(exchange, 0, 0)
        exchange.chmod(0o1777)
        return
    info = exchange.lstat()
    mode = stat.S_IMODE(info.st_mode)
    if not stat.S_ISDIR(info.st_mode):
        raise HubError(f"the exchange {exchange} is not a folder")
    if info.st_uid != 0 or mode != 0o1777:
        raise HubError(
            f"the exchange {exchange} has mode {mode:04o} and owner uid {info.st_uid}; "
            "nbgrader's exchange must be root's with mode 1777 (everyone may write, the "
            f"sticky bit stops anyone removing another's files): "
            f"`chown root:root {exchange} && chmod 1777 {exchange}`"
        )


def check_python(python: Path, user: str) -> None:
    """The course's Python runs, as a student, with what a server needs."""
    if not python.exists():
        raise HubError(f"the course's Python {python} does not exist: run `make setup`")
    result = subprocess.run(
        ["runuser", "-u", user, "--", str(python), "-c", NEEDED],
        capture_output=True,
        text=True,
        cwd="/",
        timeout=120,
    )
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise HubError(
            f"user {user!r} cannot run the course's Python {python} with the hub's "
            f"packages ({reason}). Install the course where every user can read it "
            "(for example /opt/attention-course, then `make hub-setup`), or point "
            "--python at such an environment."
        )


def check_proxy(proxy: Path) -> None:
    if not (proxy.is_file() and os.access(proxy, os.X_OK)):
        raise HubError(
            f"no configurable-http-proxy at {proxy}: run `make hub-setup` (needs npm)"
        )


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o644)


def lay_out(args: argparse.Namespace) -> dict:
    root = args.root
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)
    state = root / "state"
    state.mkdir(exist_ok=True)
    state.chmod(0o700)
    exchange = root / "exchange"
    check_exchange(exchange)

    course = args.course_folder or root / "course"
    instructor = pwd.getpwnam(args.instructor[0])
    if not course.exists():
        course.mkdir(parents=True)
        for folder in ("solutions", "notebooks"):
            shutil.copytree(
                args.course / folder,
                course / folder,
                ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
            )
        shutil.copy2(args.course / "nbgrader_config.py", course / "nbgrader_config.py")
        for path in [course, *course.rglob("*")]:
            os.chown(path, instructor.pw_uid, instructor.pw_gid, follow_symlinks=False)
        course.chmod(0o700)  # solutions, hidden tests and the gradebook stay private

    shared = f"c.Exchange.root = {str(exchange)!r}\n"
    write(
        root / "etc" / "student" / "nbgrader_config.py",
        "c = get_config()  # noqa: F821\n"
        f"{shared}c.CourseDirectory.course_id = {COURSE_ID!r}\n",
    )
    write(
        root / "etc" / "student" / "jupyter_server_config.json",
        json.dumps(
            {
                "ServerApp": {
                    "jpserver_extensions": {
                        f"nbgrader.server_extensions.{name}": False
                        for name in INSTRUCTOR_ONLY_EXTENSIONS
                    }
                }
            },
            indent=2,
        ),
    )
    write(
        root / "etc" / "student" / "labconfig" / "page_config.json",
        json.dumps(
            {
                "disabledExtensions": {
                    f"@jupyter/nbgrader:{name}": True
                    for name in INSTRUCTOR_ONLY_PLUGINS
                }
            },
            indent=2,
        ),
    )
    write(
        root / "etc" / "instructor" / "nbgrader_config.py",
        "c = get_config()  # noqa: F821\n"
        f"{shared}load_subconfig({str(course / 'nbgrader_config.py')!r})  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(course)!r}\n",
    )
    settings = {
        "root": str(root),
        "course": str(course),
        "ip": args.ip,
        "port": args.port,
        "hub_port": args.hub_port or free_port(),
        "proxy_api_port": args.proxy_api_port or free_port(),
        "proxy": str(args.proxy),
        "python": str(args.python),
        "instructors": args.instructor,
        "students": args.students,
        "environment": dict(item.split("=", 1) for item in args.env),
        "server_args": args.server_arg,
    }
    if args.lti13:
        settings["authenticator"] = "lti13"
        settings["lti13"] = json.loads(args.lti13.read_text())
    path = root / "settings.json"
    write(path, json.dumps(settings, indent=2))
    return settings


def names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("/srv/attention-hub"))
    parser.add_argument("--instructor", type=names, required=True, help="user name")
    parser.add_argument("--students", type=names, required=True, help="a,b,c")
    parser.add_argument("--ip", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--hub-port", type=int, default=0, help="default: a free one")
    parser.add_argument("--proxy-api-port", type=int, default=0)
    parser.add_argument(
        "--python", type=Path, default=REPOSITORY / ".venv" / "bin" / "python"
    )
    parser.add_argument("--proxy", type=Path, default=PROXY)
    parser.add_argument(
        "--course", type=Path, default=REPOSITORY, help="the repository to copy from"
    )
    parser.add_argument("--course-folder", type=Path, help="default <root>/course")
    parser.add_argument(
        "--env", action="append", default=[], help="NAME=VALUE for every server"
    )
    parser.add_argument(
        "--server-arg",
        action="append",
        default=[],
        help="an option for every user's server, e.g. --LabApp.collaborative=True",
    )
    parser.add_argument("--lti13", type=Path, help="LTI 1.3 settings (JSON)")
    parser.add_argument(
        "--check-only", action="store_true", help="check and lay out, do not start"
    )
    args = parser.parse_args(argv)
    if len(args.instructor) != 1:
        parser.error("--instructor takes one user name")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        check_root()
        check_users(args.instructor, "instructor")
        check_users(args.students, "student")
        check_proxy(args.proxy)
        check_python(args.python, args.students[0])
        settings = lay_out(args)
    except HubError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.check_only:
        print(f"ready: {args.root}")
        return 0
    print(
        f"JupyterHub on http://{settings['ip']}:{settings['port']}/ "
        f"(instructor {args.instructor[0]}, {len(args.students)} students)",
        flush=True,
    )
    environment = os.environ | {"COURSE_HUB_SETTINGS": str(args.root / "settings.json")}
    command = [
        sys.executable,
        "-m",
        "jupyterhub",
        "-f",
        str(HERE / "jupyterhub_config.py"),
    ]
    os.chdir(args.root / "state")
    os.execve(sys.executable, command, environment)


if __name__ == "__main__":
    sys.exit(main())
