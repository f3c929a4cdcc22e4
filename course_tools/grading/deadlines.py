"""Due dates, extensions and late penalties (instructors; `course grade --deadlines`).

A deadlines file is TOML:

    timezone = "Europe/London"       # how a date-time without an offset is read (UTC)

    [penalty]                        # the rule for every assignment
    percent_per_day = 10             # lost per day late, a started day counting whole
    max_percent = 50                 # never more than this in all
    of = "score"                     # percent of the score earned, or of "maximum"
    grace_minutes = 5                # this late still counts as on time

    [assignments.02_dot_product_attention]
    due = 2026-10-14T23:59:00
    penalty = { percent_per_day = 20 }   # this assignment's own rule (optional)

    [extensions.02_dot_product_attention]
    alice = 2026-10-16T23:59:00      # a new due date for one student,
    bob = 3                          # or a number of days after the due date

A penalty never takes a score below 0. It is computed afresh each time `course grade`
records its results, from the file as it is then: change the rule and rerun, and every
grade follows the new rule (no submission is regraded for it, and no stale penalty stays).

A submission's time comes, in this order, from the submissions folder's
`timestamps.csv` (columns `student,submitted`: what a learning platform's export says),
from nbgrader's `timestamp.txt` beside the notebook (what `nbgrader collect` keeps), or
from the file's modification time; grades.csv says which.
"""

from __future__ import annotations

import csv
import math
import sys
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


class DeadlinesError(ValueError):
    """A deadlines file or a submission time that cannot be read; says what was expected."""


@dataclass(frozen=True)
class PenaltyRule:
    percent_per_day: float = 10.0  # lost per day late (a started day counts whole)
    max_percent: float = 100.0  # at most this in all
    of: str = "score"  # "score": percent of what was earned; "maximum": of the maximum
    grace_minutes: float = 0.0  # a submission this late still counts as on time

    def __post_init__(self):
        if self.of not in ("score", "maximum"):
            raise DeadlinesError(
                f"penalty.of must be 'score' or 'maximum', not {self.of!r}"
            )
        for name in ("percent_per_day", "max_percent", "grace_minutes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise DeadlinesError(f"penalty.{name} must be a number, not {value!r}")
            if value < 0 or (name != "grace_minutes" and value > 100):
                raise DeadlinesError(
                    f"penalty.{name} must be between 0 and 100, not {value}"
                )


@dataclass(frozen=True)
class Lateness:
    """How late one submission was, and what it costs."""

    submitted: datetime | None  # aware, UTC; None when no time could be found
    source: str  # where the time came from: timestamps.csv, timestamp.txt, file, none
    due: datetime | None  # this student's due date (extensions applied), aware UTC
    days_late: int  # started days past the due date and the grace period
    percent: float  # the penalty in percent (of the score or of the maximum)

    def penalty_points(self, score: float, maximum: float, rule: PenaltyRule) -> float:
        """Points taken off a score; never more than the score itself."""
        base = score if rule.of == "score" else maximum
        return min(score, base * self.percent / 100.0)


ON_TIME = Lateness(None, "none", None, 0, 0.0)


@dataclass
class Deadlines:
    """What a deadlines file says (see the module docstring)."""

    zone: timezone | ZoneInfo = timezone.utc
    penalty: PenaltyRule = field(default_factory=PenaltyRule)
    due: dict[str, datetime] = field(default_factory=dict)
    rules: dict[str, PenaltyRule] = field(default_factory=dict)
    extensions: dict[str, dict[str, datetime]] = field(default_factory=dict)

    def rule(self, assignment: str) -> PenaltyRule:
        return self.rules.get(assignment, self.penalty)

    def lateness(
        self, assignment: str, student: str, submitted: datetime | None, source: str
    ) -> Lateness:
        due = self.extensions.get(assignment, {}).get(student) or self.due.get(
            assignment
        )
        if due is None or submitted is None:
            return Lateness(submitted, source, due, 0, 0.0)
        rule = self.rule(assignment)
        late = submitted - due - timedelta(minutes=rule.grace_minutes)
        days = max(0, math.ceil(late / timedelta(days=1)))
        percent = min(rule.max_percent, days * rule.percent_per_day)
        return Lateness(submitted, source, due, days, percent)


def _rule(table: object, where: str, base: PenaltyRule | None = None) -> PenaltyRule:
    if not isinstance(table, dict):
        raise DeadlinesError(f"{where} must be a table, not {table!r}")
    known = {f.name for f in fields(PenaltyRule)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise DeadlinesError(
            f"{where}: unknown setting(s) {unknown}; expected some of {sorted(known)}"
        )
    values = {
        f.name: getattr(base or PenaltyRule(), f.name) for f in fields(PenaltyRule)
    }
    values.update(table)
    return PenaltyRule(**values)


def _moment(value: object, zone, where: str) -> datetime:
    """A TOML date-time or date (a date means the end of that day) -> aware UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(23, 59, 59))
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise DeadlinesError(
                f"{where}: {value!r} is not a date-time such as 2026-10-14T23:59:00"
            ) from None
    else:
        raise DeadlinesError(
            f"{where}: expected a date-time such as 2026-10-14T23:59:00, not {value!r}"
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(timezone.utc)


def parse_deadlines(text: str, source: str = "deadlines file") -> Deadlines:
    """Read a deadlines file's text; raises DeadlinesError naming what is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DeadlinesError(f"{source} is not valid TOML: {error}") from None
    unknown = sorted(set(data) - {"timezone", "penalty", "assignments", "extensions"})
    if unknown:
        raise DeadlinesError(
            f"{source}: unknown section(s) {unknown}; expected timezone, penalty, "
            "assignments, extensions"
        )
    zone: timezone | ZoneInfo = timezone.utc
    if "timezone" in data:
        try:
            zone = ZoneInfo(str(data["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            raise DeadlinesError(
                f"{source}: unknown timezone {data['timezone']!r} "
                "(an IANA name such as 'Europe/London' or 'UTC')"
            ) from None
    deadlines = Deadlines(zone, _rule(data.get("penalty", {}), f"{source}: [penalty]"))
    for assignment, table in data.get("assignments", {}).items():
        where = f"{source}: [assignments.{assignment}]"
        if not isinstance(table, dict) or "due" not in table:
            raise DeadlinesError(f"{where} needs a due date: due = 2026-10-14T23:59:00")
        unknown = sorted(set(table) - {"due", "penalty"})
        if unknown:
            raise DeadlinesError(
                f"{where}: unknown key(s) {unknown}; expected due, penalty"
            )
        deadlines.due[assignment] = _moment(table["due"], zone, where)
        if "penalty" in table:
            deadlines.rules[assignment] = _rule(
                table["penalty"], f"{where} penalty", deadlines.penalty
            )
    for assignment, students in data.get("extensions", {}).items():
        where = f"{source}: [extensions.{assignment}]"
        if assignment not in deadlines.due:
            raise DeadlinesError(
                f"{where}: no [assignments.{assignment}] with a due date to extend"
            )
        if not isinstance(students, dict):
            raise DeadlinesError(f"{where} must be a table of student = date or days")
        extended = deadlines.extensions.setdefault(assignment, {})
        for student, value in students.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                if value < 0:
                    raise DeadlinesError(f"{where}: {student} = {value} is negative")
                extended[student] = deadlines.due[assignment] + timedelta(days=value)
            else:
                extended[student] = _moment(value, zone, f"{where} {student}")
    return deadlines


def load_deadlines(path: Path | str) -> Deadlines:
    path = Path(path)
    if not path.is_file():
        raise DeadlinesError(f"no deadlines file at {path}")
    return parse_deadlines(path.read_text(), source=str(path))


def platform_timestamps(folder: Path) -> dict[str, datetime]:
    """`timestamps.csv` in a submissions folder: student -> submission time (aware UTC)."""
    from course_tools.grading.collect import student_id

    path = folder / "timestamps.csv"
    if not path.is_file():
        return {}
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"student", "submitted"} <= set(
            reader.fieldnames
        ):
            raise DeadlinesError(
                f"{path} needs the columns student,submitted; found {reader.fieldnames}"
            )
        return {
            student_id(row["student"]): _moment(
                row["submitted"].strip(), timezone.utc, f"{path} line {number}"
            )
            for number, row in enumerate(reader, start=2)
        }


def submission_time(
    origin: Path, student: str, platform: dict[str, datetime]
) -> tuple[datetime | None, str]:
    """When a submission was handed in, and where that time was read (module docstring)."""
    if student in platform:
        return platform[student], "timestamps.csv"
    stamp = origin.parent / "timestamp.txt"
    if origin.suffix == ".ipynb" and stamp.is_file():
        from nbgrader.utils import parse_utc

        try:
            return parse_utc(stamp.read_text().strip()).replace(
                tzinfo=timezone.utc
            ), "timestamp.txt"
        except (ValueError, OverflowError):
            pass
    try:
        return datetime.fromtimestamp(origin.stat().st_mtime, timezone.utc), "file"
    except OSError:
        return None, "none"
