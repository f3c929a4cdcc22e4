"""Smoke test of benchmarks/: every part runs on the CPU in a tiny configuration and writes its JSON.

Benchmarks are not tests: nothing here checks a speed, only that the code runs and its
results have the expected shape (and that the KV-cached decoder matches the plain one).
"""

from __future__ import annotations

import json

import torch

from benchmarks import __main__ as bench
from benchmarks import training
from benchmarks.kv_decode import cached_logits, generate_cached
from course_utils.reference.gpt import GPT, GPTConfig, generate


def test_kv_cache_matches_full_forward():
    torch.manual_seed(0)
    model = GPT(
        GPTConfig(vocab_size=40, block_size=24, n_layer=2, n_head=2, d_model=16)
    ).eval()
    idx = torch.randint(0, 40, (2, 16))  # (B, T)
    full, _ = model(idx)  # (B, T, V)
    caches = [[] for _ in model.blocks]
    pieces = [cached_logits(model, idx[:, :5], caches, 0)]
    pieces += [cached_logits(model, idx[:, t : t + 1], caches, t) for t in range(5, 16)]
    torch.testing.assert_close(
        torch.cat(pieces, dim=1), full.detach(), atol=1e-5, rtol=1e-5
    )
    torch.manual_seed(3)
    plain = generate(model, idx[:, :4], 12, top_k=5)
    torch.manual_seed(3)
    cached = generate_cached(model, idx[:, :4], 12, top_k=5)
    assert torch.equal(plain, cached)


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
    """The GPU training code (plain, fast, tuned, time to target) runs end to end, here on the CPU."""
    result = training.run_gpu(torch.device("cpu"), tiny=True, log=lambda *_: None)
    assert [run["recipe"] for run in result["runs"]] == ["plain", "fast", "tuned"]
    assert result["target_val_loss"] == result["runs"][0]["final_val_loss"]
    assert result["runs"][0]["mfu_vs_bf16_peak"] is None  # no peak known for a CPU
