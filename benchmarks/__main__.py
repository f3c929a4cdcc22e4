"""`python -m benchmarks`: run the benchmarks, print a table, write the results with the machine to JSON."""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from pathlib import Path

import torch

from benchmarks import attention, generation, training
from benchmarks.machine import describe, write_json

PARTS = ("train-cpu", "train-gpu", "attention", "generation")
RESULTS = Path(__file__).resolve().parent / "results"


def _table(headers: list[str], rows: list[list]) -> str:
    cells = [[str(h) for h in headers]] + [
        ["-" if v is None else str(v) for v in row] for row in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def tables(results: dict) -> str:
    """The results as plain-text tables, one per part."""
    out = []
    for key in ("train_cpu", "train_gpu"):
        part = results.get(key)
        if part:
            rows = [
                [
                    r["recipe"],
                    r["device"],
                    r["steps"],
                    r["train_seconds"],
                    r["tokens_per_second"],
                    r["mfu_vs_bf16_peak"],
                    r["peak_memory_mib"],
                    r["final_val_loss"],
                    r["seconds_to_target_loss"],
                ]
                for r in part["runs"]
            ]
            out.append(
                f"Training ({key}, preset {part['preset']})\n"
                + _table(
                    [
                        "recipe",
                        "device",
                        "steps",
                        "seconds",
                        "tokens/s",
                        "MFU",
                        "peak MiB",
                        "val loss",
                        "s to target",
                    ],
                    rows,
                )
            )
    part = results.get("attention")
    if part:
        rows = [
            [
                r["impl"],
                r["head_dim"],
                r["length"],
                r["fwd"].get("ms"),
                r["fwd"].get("tflops"),
                r["fwd"].get("peak_mib"),
                r["fwd_bwd"].get("ms"),
                r["fwd_bwd"].get("tflops"),
                r["fwd_bwd"].get("peak_mib"),
            ]
            for r in part["rows"]
        ]
        out.append(
            f"Attention ({part['dtype']}, batch {part['batch']}, {part['heads']} heads, not causal)\n"
            + _table(
                [
                    "impl",
                    "d",
                    "T",
                    "fwd ms",
                    "fwd TFLOP/s",
                    "fwd MiB",
                    "f+b ms",
                    "f+b TFLOP/s",
                    "f+b MiB",
                ],
                rows,
            )
        )
    part = results.get("generation")
    if part:
        rows = [
            [
                r["batch"],
                r["new_tokens"],
                r["no_cache_tokens_per_second"],
                r["kv_cache_tokens_per_second"],
                r["speedup"],
            ]
            for r in part["rows"]
        ]
        out.append(
            f"Generation (preset {part['preset']}, {part['parameters']:,} parameters)\n"
            + _table(
                ["batch", "new tokens", "no cache tok/s", "KV cache tok/s", "speed-up"],
                rows,
            )
        )
    return "\n\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--parts",
        default="all",
        help=f"comma-separated, from {', '.join(PARTS)} (default all)",
    )
    parser.add_argument(
        "--device", default="auto", help="auto (CUDA if present), cpu or cuda"
    )
    parser.add_argument(
        "--cpu-seconds",
        type=float,
        default=180.0,
        help="training budget per CPU recipe (default 180)",
    )
    parser.add_argument(
        "--cpu-threads",
        type=int,
        default=2,
        help="threads for CPU training (default 2)",
    )
    parser.add_argument(
        "--gen-threads",
        type=int,
        default=None,
        help="CPU threads for generation (default torch's)",
    )
    parser.add_argument(
        "--compile", action="store_true", help="also torch.compile the CPU fast path"
    )
    parser.add_argument(
        "--compile-mode",
        default=None,
        help="torch.compile mode for the GPU fast path, e.g. reduce-overhead",
    )
    parser.add_argument(
        "--gpu-steps",
        type=int,
        default=None,
        help="steps of the GPU recipes' schedule (default the gpu preset's 2000)",
    )
    parser.add_argument(
        "--lengths",
        default=None,
        help="attention lengths, e.g. 256,1024 (default per device)",
    )
    parser.add_argument(
        "--tiny", action="store_true", help="seconds-long configuration (smoke test)"
    )
    parser.add_argument(
        "--out",
        default=None,
        help="JSON file (default benchmarks/results/<device>-<time>.json)",
    )
    args = parser.parse_args(argv)
    parts = (
        PARTS
        if args.parts == "all"
        else tuple(p.strip() for p in args.parts.split(","))
    )
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s) {sorted(unknown)}; parts: {', '.join(PARTS)}")
    cuda = torch.cuda.is_available() and args.device in ("auto", "cuda")
    if args.device == "cuda" and not cuda:
        parser.error("no CUDA device here")
    device = torch.device("cuda") if cuda else torch.device("cpu")
    lengths = [int(x) for x in args.lengths.split(",")] if args.lengths else None

    results: dict = {
        "machine": describe(device),
        "tiny": args.tiny,
        "parts": list(parts),
    }
    if "train-cpu" in parts:
        print("training on the CPU: plain vs fast", flush=True)
        results["train_cpu"] = training.run_cpu(
            seconds=2.0 if args.tiny else args.cpu_seconds,
            threads=args.cpu_threads,
            compile_model=args.compile,
            tiny=args.tiny,
        )
    if "train-gpu" in parts:
        if cuda:
            print("training on the GPU: plain, fast, graphs, tuned", flush=True)
            results["train_gpu"] = training.run_gpu(
                device,
                tiny=args.tiny,
                compile_mode=args.compile_mode,
                max_steps=args.gpu_steps,
            )
        else:
            results["train_gpu"] = None
            print("training on the GPU: no CUDA device here, not measured")
    if "attention" in parts:
        print(f"attention kernels on {device}", flush=True)
        if args.tiny:
            results["attention"] = attention.run(
                device, lengths=lengths or [64, 128], head_dims=(16,), repeats=1
            )
        else:
            results["attention"] = attention.run(device, lengths=lengths)
    if "generation" in parts:
        print(f"generation on {device}", flush=True)
        results["generation"] = generation.run(
            device,
            preset_name="tiny" if args.tiny else None,
            batch_sizes=(1,) if args.tiny else (1, 8),
            repeats=1 if args.tiny else 3,
            threads=args.gen_threads,
        )
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M")
    path = Path(args.out) if args.out else RESULTS / f"{device.type}-{stamp}.json"
    write_json(path, results)
    print()
    print(tables(results))
    print(f"\nresults written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
