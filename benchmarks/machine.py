"""The machine a benchmark ran on, and the peak throughput of known accelerators."""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
from pathlib import Path

import torch

# Dense bf16 tensor-core peaks in TFLOP/s from the vendors' data sheets (no sparsity).
# NVIDIA H100 SXM5 / H200 SXM: 989; H100 PCIe: 756; A100: 312; L4: 121; RTX 4090: 165 (with fp32 accumulate).
BF16_PEAK_TFLOPS = {
    "H200": 989.0,
    "H100 80GB HBM3": 989.0,
    "H100 SXM": 989.0,
    "H100 PCIe": 756.0,
    "H100": 989.0,
    "A100": 312.0,
    "L4": 121.0,
    "RTX 4090": 165.0,
}


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (Linux) or platform.processor()."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def bf16_peak_tflops(device: torch.device) -> float | None:
    """The dense bf16 peak of a CUDA device in TFLOP/s if it is in the table, else None (CPUs: None)."""
    if device.type != "cuda":
        return None
    name = torch.cuda.get_device_name(device)
    for key, value in BF16_PEAK_TFLOPS.items():
        if key in name:
            return value
    return None


def describe(device: torch.device) -> dict:
    """CPU model, cores, threads, load, torch version and the device's name, for the results file."""
    info = {
        "date_utc": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu_model": cpu_model(),
        "cpu_cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "torch_version": torch.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "device": str(device),
        "device_name": torch.cuda.get_device_name(device)
        if device.type == "cuda"
        else f"CPU: {cpu_model()}",
    }
    if hasattr(os, "getloadavg"):
        info["load_average_1_5_15_min"] = [round(x, 2) for x in os.getloadavg()]
    if device.type == "cuda":
        info["cuda_version"] = torch.version.cuda
        info["bf16_peak_tflops"] = bf16_peak_tflops(device)
    return info


def write_json(path: str | Path, payload: dict) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return path
