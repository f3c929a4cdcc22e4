"""Markdown tables from a results file: `python -m benchmarks.report benchmarks/results/<file>.json`.

RESULTS.md quotes its output; a part that did not run (or ran without a GPU) is marked
"not yet measured", never filled in.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

NOT_MEASURED = "not yet measured"


def _md(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += [
        "| " + " | ".join("—" if v is None else str(v) for v in row) + " |"
        for row in rows
    ]
    return "\n".join(lines)


def _fmt(value, digits=1):
    return None if value is None else f"{value:,.{digits}f}"


def _percent(fraction):
    return None if fraction is None else f"{100 * fraction:.1f}"


def markdown(results: dict) -> str:
    m = results["machine"]
    out = [
        f"Run of {m['date_utc']} on {m['device_name']} ({m['cpu_cores']} cores, "
        f"{m['torch_threads']} torch threads, load average {m.get('load_average_1_5_15_min')}), "
        f"torch {m['torch_version']}, Python {m['python']}."
    ]
    cpu = results.get("train_cpu")
    if cpu:
        rows = [
            [
                r["recipe"],
                "fused" if r["fused_attention"] else "explicit (student-style)",
                "on" if r["compiled"] else "off",
                r["steps"],
                _fmt(r["train_seconds"]),
                _fmt(r["tokens_per_second"], 0),
                _fmt(r["final_val_loss"], 3),
            ]
            for r in cpu["runs"]
        ]
        out.append(
            f"### Training on the CPU: `{cpu['preset']}` preset, {cpu['threads']} threads, "
            f"{cpu['budget_seconds']:.0f} s per recipe\n\n"
            + _md(
                [
                    "recipe",
                    "attention",
                    "compile",
                    "steps",
                    "train s",
                    "tokens/s",
                    "val loss",
                ],
                rows,
            )
            + f"\n\nFast / plain tokens per second: **{cpu['speedup_tokens_per_second']:.2f}x**."
        )
    gpu = results.get("train_gpu")
    if gpu:
        rows = [
            [
                r["recipe"],
                r["steps"],
                _fmt(r["tokens_per_second"], 0),
                _fmt(100 * r["mfu_vs_bf16_peak"])
                if r["mfu_vs_bf16_peak"] is not None
                else None,
                _fmt(r["peak_memory_mib"], 0),
                _fmt(r["final_val_loss"], 3),
                _fmt(r.get("warm_up_seconds")),
                _fmt(r["seconds_to_target_loss"]),
                _fmt(r.get("steady_seconds_to_target_loss")),
            ]
            for r in gpu["runs"]
        ]
        out.append(
            f"### Training on the GPU: `{gpu['preset']}` preset, target validation loss "
            f"{gpu['target_val_loss']} (plain's final)\n\n"
            + _md(
                [
                    "recipe",
                    "steps",
                    "tokens/s",
                    "MFU %",
                    "peak MiB",
                    "val loss",
                    "first 3 steps s",
                    "s to target",
                    "s to target after them",
                ],
                rows,
            )
        )
    elif "train-gpu" in results.get("parts", ["train-gpu"]):
        out.append(
            "### Training on the GPU: `gpu` preset\n\n"
            + _md(
                [
                    "recipe",
                    "tokens/s",
                    "MFU %",
                    "peak MiB",
                    "val loss",
                    "s to plain's loss",
                ],
                [
                    [r] + [NOT_MEASURED] * 5
                    for r in ("plain", "fast", "graphs", "tuned")
                ],
            )
        )
    att = results.get("attention")
    if att:
        peak = att.get("bf16_peak_tflops")
        rows = []
        for r in att["rows"]:
            f, b = r["fwd"], r["fwd_bwd"]
            rows.append(
                [
                    r["head_dim"],
                    r["length"],
                    r["impl"],
                    _fmt(f.get("ms"), 2),
                    _fmt(f.get("tflops"), 3),
                    _fmt(f.get("peak_mib")),
                    _fmt(b.get("ms"), 2),
                    _fmt(b.get("tflops"), 3),
                    _fmt(b.get("peak_mib")),
                ]
                + ([_percent(b.get("fraction_of_peak"))] if peak else [])
            )
        out.append(
            f"### Attention kernels on {results['machine']['device']}: {att['dtype']}, batch {att['batch']}, "
            f"{att['heads']} heads, not causal, median of {att['repeats']}\n\n"
            + _md(
                [
                    "d",
                    "T",
                    "implementation",
                    "fwd ms",
                    "fwd TFLOP/s",
                    "fwd peak MiB",
                    "fwd+bwd ms",
                    "fwd+bwd TFLOP/s",
                    "fwd+bwd peak MiB",
                ]
                + ([f"fwd+bwd % of {peak:g} TFLOP/s"] if peak else []),
                rows,
            )
            + (
                f"\n\nUnavailable here: {', '.join(att['unavailable_backends'])}."
                if att["unavailable_backends"]
                else ""
            )
        )
    gen = results.get("generation")
    if gen:
        rows = [
            [
                r["batch"],
                r["new_tokens"],
                _fmt(r["no_cache_tokens_per_second"]),
                _fmt(r["kv_cache_tokens_per_second"]),
                f"{r['speedup']:.2f}x",
            ]
            for r in gen["rows"]
        ]
        threads = (
            f", {gen['threads']} thread(s)"
            if "threads" in gen and results["machine"]["device"] == "cpu"
            else ""
        )
        out.append(
            f"### Generation on {results['machine']['device']}{threads}: `{gen['preset']}` preset model "
            f"({gen['parameters']:,} parameters, context {gen['model']['block_size']})\n\n"
            + _md(
                ["batch", "new tokens", "no cache tok/s", "KV cache tok/s", "speed-up"],
                rows,
            )
        )
    return "\n\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    print(markdown(json.loads(Path(argv[0]).read_text())), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
