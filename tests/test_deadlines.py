"""Due dates, extensions and late penalties (course_tools.grading.deadlines)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest

from course_tools.grading.deadlines import (
    DeadlinesError,
    PenaltyRule,
    parse_deadlines,
    platform_timestamps,
    submission_time,
)

UTC = timezone.utc
FILE = """
timezone = "Europe/London"
[penalty]
percent_per_day = 10
max_percent = 30
grace_minutes = 5

[assignments.02_dot_product_attention]
due = 2026-10-14T23:59:00

[assignments.03_multi_head_attention]
due = 2026-10-21T12:00:00Z
penalty = { percent_per_day = 25, of = "maximum" }

[extensions.02_dot_product_attention]
alice = 2026-10-16T23:59:00
bob = 3
"""
# 2026-10-14 is summer time in London: 23:59 there is 22:59 UTC.
DUE_02 = datetime(2026, 10, 14, 22, 59, tzinfo=UTC)


def late(deadlines, student, after, assignment="02_dot_product_attention"):
    due = deadlines.due[assignment]
    return deadlines.lateness(assignment, student, due + after, "file")


def test_due_dates_are_read_in_the_files_timezone():
    deadlines = parse_deadlines(FILE)
    assert deadlines.due["02_dot_product_attention"] == DUE_02
    assert deadlines.due["03_multi_head_attention"] == datetime(
        2026, 10, 21, 12, tzinfo=UTC
    )


def test_a_started_day_counts_whole_after_the_grace_period():
    deadlines = parse_deadlines(FILE)
    assert late(deadlines, "carol", timedelta(minutes=4)).days_late == 0
    assert late(deadlines, "carol", timedelta(minutes=6)).days_late == 1
    assert late(deadlines, "carol", timedelta(hours=23)).percent == 10
    assert late(deadlines, "carol", timedelta(days=1, minutes=6)).percent == 20
    assert late(deadlines, "carol", timedelta(days=-3)).days_late == 0


def test_the_penalty_stops_at_its_cap():
    deadlines = parse_deadlines(FILE)
    assert late(deadlines, "carol", timedelta(days=9)).percent == 30


def test_extensions_by_date_and_by_days():
    deadlines = parse_deadlines(FILE)
    two_days = timedelta(days=2)
    assert late(deadlines, "alice", two_days).days_late == 0
    assert late(deadlines, "bob", two_days).days_late == 0
    assert late(deadlines, "bob", timedelta(days=3, hours=1)).days_late == 1
    assert late(deadlines, "carol", two_days).days_late == 2


def test_penalty_of_the_score_or_of_the_maximum_never_below_zero():
    deadlines = parse_deadlines(FILE)
    mha = "03_multi_head_attention"
    lateness = late(deadlines, "carol", timedelta(hours=1), assignment=mha)
    rule = deadlines.rule(mha)
    assert rule.of == "maximum" and rule.max_percent == 30  # the default's cap is kept
    assert lateness.penalty_points(8, 10, rule) == pytest.approx(2.5)
    assert lateness.penalty_points(1, 10, rule) == 1  # not below 0
    on_score = late(deadlines, "carol", timedelta(hours=1))
    assert on_score.penalty_points(
        8, 10, deadlines.rule("02_dot_product_attention")
    ) == (pytest.approx(0.8))


def test_no_due_date_or_no_time_means_no_penalty():
    deadlines = parse_deadlines(FILE)
    stamp = datetime(2030, 1, 1, tzinfo=UTC)
    assert deadlines.lateness("00_orientation", "carol", stamp, "file").percent == 0
    assert (
        deadlines.lateness("02_dot_product_attention", "carol", None, "none").percent
        == 0
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("[penalty]\npercent_per_day = 'ten'\n", "must be a number"),
        ("[penalty]\nper_day = 10\n", "unknown setting"),
        ("[penalty]\nof = 'total'\n", "'score' or 'maximum'"),
        ("[penalty]\nmax_percent = 150\n", "between 0 and 100"),
        ("[assignment.x]\ndue = 2026-01-01\n", "unknown section"),
        ("[assignments.x]\nwhen = 2026-01-01\n", "needs a due date"),
        ("[assignments.x]\ndue = 'next friday'\n", "not a date-time"),
        ("timezone = 'Mars/Olympus'\n", "unknown timezone"),
        ("[extensions.x]\nalice = 2\n", r"no \[assignments\.x\]"),
        ("[assignments.x\n", "not valid TOML"),
    ],
)
def test_a_bad_file_gets_a_message_that_says_what_was_expected(text, message):
    with pytest.raises(DeadlinesError, match=message):
        parse_deadlines(text)


def test_a_date_without_a_time_means_the_end_of_that_day():
    deadlines = parse_deadlines("[assignments.x]\ndue = 2026-03-01\n")
    assert deadlines.due["x"] == datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC)


def test_rule_defaults():
    assert PenaltyRule() == PenaltyRule(10.0, 100.0, "score", 0.0)


def test_submission_time_sources_in_order(tmp_path):
    flat = tmp_path / "carol.ipynb"
    flat.write_text("{}")
    os.utime(flat, (1_700_000_000, 1_700_000_000))
    nested = tmp_path / "dave" / "x" / "x.ipynb"
    nested.parent.mkdir(parents=True)
    nested.write_text("{}")
    (nested.parent / "timestamp.txt").write_text("2026-10-15 08:30:00.000000 UTC")
    (tmp_path / "timestamps.csv").write_text(
        "student,submitted\nerin,2026-10-15T09:00:00+02:00\n"
    )
    platform = platform_timestamps(tmp_path)
    assert submission_time(flat, "carol", platform) == (
        datetime.fromtimestamp(1_700_000_000, UTC),
        "file",
    )
    assert submission_time(nested, "dave", platform) == (
        datetime(2026, 10, 15, 8, 30, tzinfo=UTC),
        "timestamp.txt",
    )
    assert submission_time(flat, "erin", platform) == (
        datetime(2026, 10, 15, 7, 0, tzinfo=UTC),
        "timestamps.csv",
    )


def test_a_platform_file_without_its_columns_is_refused(tmp_path):
    (tmp_path / "timestamps.csv").write_text("name,time\nerin,2026-10-15\n")
    with pytest.raises(DeadlinesError, match="student,submitted"):
        platform_timestamps(tmp_path)
