"""Find every student's submission in a folder (instructors; `course grade`).

Two layouts are read, and may be mixed in one folder:

- nbgrader's: `<student>/<assignment>/<notebook>.ipynb`;
- a flat export from a learning platform: `<student>.ipynb`, or `<student>.zip` holding
  the notebook (anywhere inside the archive).

The files are only read, never modified. A submission that cannot be read is still
returned, with the problem, so that it is reported and scored 0 instead of stopping the batch.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

MAX_NOTEBOOK_BYTES = 50 * 2**20
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Submission:
    """One student's hand-in: the notebook's bytes, or the reason there are none."""

    student: str
    origin: Path
    data: bytes | None
    problem: str | None = None


def student_id(name: str) -> str:
    """A student id safe as a folder name and a gradebook key, from a file or folder name."""
    cleaned = _UNSAFE.sub("_", name).strip("._-")
    return cleaned or "student"


def _read(path: Path) -> tuple[bytes | None, str | None]:
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            return (
                None,
                f"{path.name} is {size / 2**20:.0f} MiB, more than a notebook can be ({MAX_NOTEBOOK_BYTES // 2**20} MiB)",
            )
        return path.read_bytes(), None
    except OSError as error:
        return None, f"cannot read {path.name}: {error.strerror}"


def _from_zip(path: Path, notebook: str) -> tuple[bytes | None, str | None]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                m
                for m in archive.infolist()
                if m.filename.endswith(".ipynb")
                and not m.is_dir()
                and "__MACOSX" not in m.filename
                and ".ipynb_checkpoints" not in m.filename
            ]
            if not members:
                return None, f"{path.name} holds no notebook (.ipynb)"
            named = [m for m in members if Path(m.filename).name == f"{notebook}.ipynb"]
            if len(named) == 1:
                chosen = named[0]
            elif len(members) == 1:
                chosen = members[0]
            else:
                names = sorted(m.filename for m in members)
                return (
                    None,
                    f"{path.name} holds several notebooks and none is {notebook}.ipynb: {names}",
                )
            if chosen.file_size > MAX_NOTEBOOK_BYTES:
                return (
                    None,
                    f"{chosen.filename} in {path.name} is too large ({chosen.file_size / 2**20:.0f} MiB)",
                )
            return archive.read(chosen), None
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as error:
        return None, f"{path.name} is not a readable zip file ({error})"


def collect(
    folder: Path | str, assignment: str, notebook: str | None = None
) -> list[Submission]:
    """Every submission in `folder`, sorted by student id (see the module docstring)."""
    folder = Path(folder)
    notebook = notebook or assignment
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder {folder}")
    found: dict[str, Submission] = {}

    def add(name: str, origin: Path, data: bytes | None, problem: str | None) -> None:
        base = student_id(name)
        key, number = base, 2
        while key in found:
            key, number = f"{base}-{number}", number + 1
        found[key] = Submission(key, origin, data, problem)

    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.name.startswith("__MACOSX"):
            continue
        if entry.is_dir():
            inner = entry / assignment
            if inner.is_dir():
                target = inner / f"{notebook}.ipynb"
                if target.is_file():
                    add(entry.name, target, *_read(target))
                else:
                    others = sorted(p.name for p in inner.glob("*.ipynb"))
                    add(
                        entry.name,
                        inner,
                        None,
                        f"no {notebook}.ipynb in {entry.name}/{assignment}/ (found {others or 'nothing'})",
                    )
            continue
        suffix = entry.suffix.lower()
        if suffix == ".ipynb":
            add(entry.stem, entry, *_read(entry))
        elif suffix == ".zip":
            add(entry.stem, entry, *_from_zip(entry, notebook))
    return [found[key] for key in sorted(found)]
