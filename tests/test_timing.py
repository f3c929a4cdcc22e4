"""Unit tests of course_utils.timing."""

import time

import pytest
import torch

from course_utils.timing import (
    growth_exponent,
    median_time,
    synchronize,
    time_over_sizes,
)


def test_median_time_measures_the_call():
    seconds = median_time(lambda: time.sleep(0.01), repeats=3, warmup=0)
    assert 0.009 <= seconds < 0.5


def test_median_time_runs_warmup_and_repeats():
    calls = []
    median_time(lambda: calls.append(1), repeats=4, warmup=2)
    assert len(calls) == 6


def test_median_is_robust_to_one_slow_run():
    delays = iter([0.0, 0.0, 0.2, 0.0, 0.0])
    seconds = median_time(lambda: time.sleep(next(delays)), repeats=5, warmup=0)
    assert seconds < 0.1


@pytest.mark.parametrize("repeats, warmup", [(0, 1), (3, -1)])
def test_median_time_rejects_bad_counts(repeats, warmup):
    with pytest.raises(ValueError):
        median_time(lambda: None, repeats=repeats, warmup=warmup)


def test_synchronize_waits_only_on_accelerators(monkeypatch):
    waited = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(
        torch.cuda, "synchronize", lambda device=None: waited.append(str(device))
    )
    synchronize("cpu")
    synchronize(None)
    assert waited == [], "the CPU runs eagerly: nothing to wait for"
    synchronize("cuda:0")
    assert waited == ["cuda:0"]
    seconds = median_time(
        lambda: torch.ones(3) * 2, repeats=2, device=torch.device("cuda")
    )
    assert (
        waited.count("cuda") == 1 + 2 and seconds >= 0
    )  # after the warm-up and after each repeat


def test_time_over_sizes_builds_each_input_once():
    built = []

    def make(n):
        built.append(n)
        return lambda: sum(range(n))

    seconds = time_over_sizes(make, [10, 100], repeats=2)
    assert built == [10, 100] and len(seconds) == 2 and all(s >= 0 for s in seconds)


def test_growth_exponent_recovers_powers():
    sizes = [16, 32, 64, 128]
    assert growth_exponent(sizes, [3e-6 * n for n in sizes]) == pytest.approx(1.0)
    assert growth_exponent(sizes, [1e-9 * n * n for n in sizes]) == pytest.approx(2.0)
    assert growth_exponent(sizes, [0.5] * 4) == pytest.approx(0.0)
    with pytest.raises(ValueError):
        growth_exponent([1], [1.0])


def test_threads_are_set_for_the_timing_and_restored():
    from course_utils.timing import cpu_threads

    before = torch.get_num_threads()
    seen = []
    median_time(
        lambda: seen.append(torch.get_num_threads()), repeats=2, warmup=0, threads=1
    )
    assert seen == [1, 1] and torch.get_num_threads() == before
    with pytest.raises(KeyError):
        with cpu_threads(1):
            raise KeyError("x")
    assert torch.get_num_threads() == before
