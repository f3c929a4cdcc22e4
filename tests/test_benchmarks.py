"""Smoke test of benchmarks/: every part runs on the CPU in a tiny configuration and writes its JSON.

Benchmarks are not tests: nothing here checks a speed, only that the code runs, that it is
the course's own code (the training loop of course_utils.train), and that its results have
the expected shape. The KV-cached decoder is tested in tests/test_gpt.py.
"""

from __future__ import annotations

import json

import pytest
import torch

from benchmarks import __main__ as bench
from benchmarks import training
from course_utils.reference.gpt import train_step
from course_utils.testing import ForbiddenCall, forbidden_calls
from course_utils.train import build_run, make_optimizer, train
from course_utils.train_config import preset


def test_training_runs_the_course_loop():
    """A benchmark run is course_utils.train's: its set-up, its step, its numbers."""
    config = preset("tiny")
    data = training.load_data(config)
    with pytest.raises(ForbiddenCall) as seen:
        with forbidden_calls(build_run, train_step, make_optimizer, exercise="bench"):
            training.train_run(
                config, "plain", torch.device("cpu"), data, steps=2, log=lambda *_: None
            )
    for name in ("train.build_run", "reference.gpt.train_step", "train.make_optimizer"):
        assert f"course_utils.{name}" in str(seen.value)
    fast = training.train_run(
        config, "fast", torch.device("cpu"), data, steps=6, log=lambda *_: None
    )
    lesson = train(
        config.replace(device="cpu", eval_interval=6),
        data=data,
        progress=False,
        log=lambda *_: None,
    )
    assert fast["evals"][0]["val_loss"] == round(lesson.evals[0]["val_loss"], 4)
    assert fast["evals"][0]["train_loss"] == round(lesson.evals[0]["train_loss"], 4)


def test_every_part_runs_on_cpu(tmp_path, capsys):
    out = tmp_path / "tiny.json"
    assert bench.main(["--tiny", "--device", "cpu", "--out", str(out)]) == 0
    results = json.loads(out.read_text())
    assert results["machine"]["torch_version"] == torch.__version__
    assert results["machine"]["device"] == "cpu" and results["machine"]["cpu_model"]
    assert [run["recipe"] for run in results["train_cpu"]["runs"]] == ["plain", "fast"]
    assert all(
        run["tokens_per_second"] > 0 and run["final_val_loss"] > 0
        for run in results["train_cpu"]["runs"]
    )
    assert results["train_gpu"] is None  # no GPU number without a GPU
    impls = {row["impl"] for row in results["attention"]["rows"]}
    assert {"student", "sdpa-math"} <= impls
    assert all(row["fwd"]["ms"] > 0 for row in results["attention"]["rows"])
    assert results["generation"]["rows"][0]["kv_cache_tokens_per_second"] > 0
    printed = capsys.readouterr().out
    assert "Attention" in printed and "Generation" in printed and str(out) in printed


def test_gpu_recipes_run_on_cpu_in_tiny_form():
    """The GPU training code (plain, fast, graphs, tuned, time to target) runs end to end,
    here on the CPU."""
    result = training.run_gpu(torch.device("cpu"), tiny=True, log=lambda *_: None)
    runs = result["runs"]
    assert [run["recipe"] for run in runs] == ["plain", "fast", "graphs", "tuned"]
    assert result["target_val_loss"] == runs[0]["final_val_loss"]
    assert runs[0]["mfu_vs_bf16_peak"] is None  # no peak known for a CPU
    assert runs[0]["tokens_per_second_vs_plain"] == 1.0
    plain = runs[0]
    assert plain["steady_seconds_to_target_loss"] == pytest.approx(
        plain["train_seconds"] - plain["warm_up_seconds"], abs=0.011
    )
    assert 0 < plain["steady_seconds_to_target_loss"] <= plain["seconds_to_target_loss"]


def test_the_grading_benchmark_draws_a_realistic_class():
    """The class of grading_benchmark.py: the proportions of its mix, every kind present,
    the same class for the same seed, and a slow submission's extra cell at the end."""
    from collections import Counter

    from benchmarks.grading_benchmark import MIX, realistic_submissions

    notebooks = realistic_submissions("02_dot_product_attention", 20, slow_seconds=0.5)
    kinds = Counter(name.split("-")[1] for name in notebooks)
    assert kinds == {kind: round(share * 20) for kind, share in MIX.items()}
    assert list(notebooks) == list(
        realistic_submissions("02_dot_product_attention", 20, slow_seconds=0.5)
    )
    slow = next(nb for name, nb in notebooks.items() if "-slow-" in name)
    assert "process_time() - started < 0.5" in slow.cells[-1].source
    broken = {name.split("-", 2)[2] for name in notebooks if "-broken-" in name}
    assert broken <= {"syntax-error", "raises", "untouched"} and broken
