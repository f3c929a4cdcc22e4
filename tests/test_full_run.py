"""tests/full_run.py: which headless full runs give way to the browser's, and the budget."""

from __future__ import annotations

from types import SimpleNamespace

import full_run
from full_run import BROWSER_TEST, HEADLESS_TEST, over_budget, run_in_browser_instead


def items(*node_ids: str) -> list:
    return [SimpleNamespace(nodeid=node_id) for node_id in node_ids]


def test_only_lessons_the_browser_also_runs_are_skipped(monkeypatch):
    monkeypatch.setattr(full_run, "browser_can_run", lambda: True)
    selected = items(
        f"{HEADLESS_TEST}[00_orientation]",
        f"{HEADLESS_TEST}[01_rnn_limits]",
        f"{BROWSER_TEST}[00_orientation]",
    )
    skipped = run_in_browser_instead(selected)
    assert list(skipped) == [f"{HEADLESS_TEST}[00_orientation]"]
    assert "JupyterLab" in skipped[f"{HEADLESS_TEST}[00_orientation]"]


def test_nothing_is_skipped_where_the_browser_cannot_run(monkeypatch):
    monkeypatch.setattr(full_run, "browser_can_run", lambda: False)
    selected = items(
        f"{HEADLESS_TEST}[00_orientation]", f"{BROWSER_TEST}[00_orientation]"
    )
    assert run_in_browser_instead(selected) == {}


def test_a_run_is_too_slow_only_when_wall_and_cpu_time_both_pass_twice_the_budget():
    assert over_budget("00_orientation", 500, 10) is None  # a busy neighbour
    assert over_budget("00_orientation", 170, 170) is None
    assert "far over its 90 s budget" in over_budget("00_orientation", 200, 190)
    assert over_budget("10_modern_transformer", 300, 300) is None  # its own 180 s
