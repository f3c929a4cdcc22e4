"""Unit tests of course_utils.ablation (lesson 10): steps to a target, the cache, the
summary and Welch's test."""

from __future__ import annotations

import math

import pytest
import torch
from scipy import stats

from course_utils.ablation import (
    cached_run,
    cpu_setup,
    format_table,
    run_ablation,
    run_to_target,
    summarize,
    welch_p,
)
from course_utils.modern_gpt import ModernParts
from course_utils.reference.modern import newton_schulz, rms_norm


@pytest.fixture(autouse=True)
def one_thread():
    saved = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(saved)


@pytest.fixture(scope="module")
def quick():
    return cpu_setup(quick=True)


def test_a_reachable_target_gives_steps_and_tokens(quick):
    record = run_to_target(quick, {}, seed=0)
    assert record["reached"] and record["steps"] in (3, 6)  # evaluations every 3 steps
    assert record["tokens"] == record["steps"] * quick.config.tokens_per_step()
    assert record["evals"][-1][1] <= quick.target


def test_an_unreachable_target_is_censored(quick):
    quick.target, saved = 0.5, quick.target
    try:
        record = run_to_target(quick, {"optimizer": "muon", "norm": "rms"}, seed=0)
    finally:
        quick.target = saved
    assert not record["reached"]
    assert record["steps"] is None and record["tokens"] is None
    assert record["evals"][-1][0] == quick.config.max_steps


def test_the_cache_returns_the_same_record(quick, tmp_path):
    first = cached_run(quick, {"rope": True}, 1, tmp_path)
    assert not first["cached"] and len(list(tmp_path.iterdir())) == 1
    second = cached_run(quick, {"rope": True}, 1, tmp_path)
    assert second["cached"] and second["evals"] == [list(e) for e in first["evals"]]
    other = cached_run(quick, {"rope": True}, 2, tmp_path)
    assert not other["cached"] and len(list(tmp_path.iterdir())) == 2


def test_unknown_changes_are_rejected(quick):
    with pytest.raises(ValueError):
        run_to_target(quick, {"activation": "relu"}, seed=0)


def fake(name_steps: dict) -> dict:
    return {
        name: [
            {"reached": s is not None, "steps": s, "tokens": None, "seconds": 1.0}
            for s in steps
        ]
        for name, steps in name_steps.items()
    }


def test_summary_uses_welch_and_marks_censored_runs():
    results = fake(
        {"baseline": [100, 110, 120], "fast": [60, 70, 65], "slow": [150, None, 140]}
    )
    rows = {row["name"]: row for row in summarize(results)}
    assert rows["fast"]["mean"] == pytest.approx(65.0)
    assert rows["fast"]["std"] == pytest.approx(5.0)
    assert rows["fast"]["speedup"] == pytest.approx(110 / 65)
    want = stats.ttest_ind([60, 70, 65], [100, 110, 120], equal_var=False).pvalue
    assert rows["fast"]["p"] == pytest.approx(want)
    assert rows["slow"]["reached"] == 2 and rows["slow"]["censored"]
    assert math.isnan(rows["slow"]["p"])
    assert math.isnan(rows["baseline"]["p"])
    table = format_table(summarize(results))
    assert "censored" in table and "2/3" in table
    assert max(len(line) for line in table.splitlines()) <= 88


def test_welch_p_edge_cases():
    assert math.isnan(welch_p([1.0], [2.0, 3.0]))
    assert welch_p([5.0, 5.0], [5.0, 5.0]) == 1.0
    assert welch_p([5.0, 5.0], [6.0, 6.0]) == 0.0


def test_run_ablation_runs_every_configuration_and_seed(quick):
    lines = []
    results = run_ablation(
        {"baseline": {}, "+SwiGLU": {"feed_forward": "swiglu"}},
        seeds=(0, 1),
        setup=quick,
        log=lines.append,
    )
    assert list(results) == ["baseline", "+SwiGLU"]
    assert [len(r) for r in results.values()] == [2, 2]
    assert len(lines) == 2


def test_runs_with_parts_train_with_them_and_are_cached_apart(quick, tmp_path):
    calls = []

    def my_rms_norm(x, weight=None, eps=1e-6):
        calls.append(x.shape)
        return rms_norm(x, weight, eps)

    parts = ModernParts(rms_norm=my_rms_norm, newton_schulz=newton_schulz)
    changes = {"norm": "rms", "optimizer": "muon"}
    mine = cached_run(quick, changes, 0, tmp_path, parts=parts)
    assert calls and not mine["cached"]
    assert quick.key(changes, 0, parts) != quick.key(changes, 0)
    again = cached_run(
        quick, changes, 0, tmp_path, parts=ModernParts(rms_norm, None, newton_schulz)
    )
    assert again["cached"]  # the same numbers from another function: the same run
    assert not cached_run(quick, changes, 0, tmp_path)["cached"]
