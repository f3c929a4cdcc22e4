"""Attention kernels: the student's attention against F.scaled_dot_product_attention's backends (issue 9, part 3).

For each sequence length and head dimension, q, k, v of shape (batch, heads, T, d) are timed
through the forward pass and the forward plus backward pass (median of a few repeats,
course_utils.timing.median_time). Candidates:
  student    course_utils.reference.scaled_dot_product_attention (lesson 02's explicit math:
             the (T, T) score and weight matrices are built and kept)
  sdpa-math, sdpa-flash, sdpa-efficient, sdpa-cudnn   F.scaled_dot_product_attention forced to
             one backend (course_utils.scaling.run_backend); a backend that cannot run here is
             reported as unavailable.
Attention is not causal (no mask), so the work is 4 B H T^2 d FLOPs forward (two matrix
products of 2 B H T^2 d each) and 2.5 times that backward, 3.5 times in all for forward +
backward (the convention of Dao, 2023, FlashAttention-2, section 4).
Peak memory is course_utils.scaling.peak_memory of one untimed call: the CUDA allocator's
peak, or on the CPU the largest sum of live tensors ATen returned (a fused kernel's scratch
space is not seen there).
"""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F

from benchmarks.machine import bf16_peak_tflops
from course_utils.reference import scaled_dot_product_attention as student_attention
from course_utils.scaling import attention_backends, peak_memory
from course_utils.timing import median_time

GPU_LENGTHS = (256, 512, 1024, 2048, 4096, 8192, 16384)
CPU_LENGTHS = (
    256,
    512,
    1024,
    2048,
    4096,
)  # 8k and 16k take minutes per point on a 2-core CPU
HEAD_DIMS = (64, 128)


def _candidates(device: torch.device) -> dict:
    def student(q, k, v):
        return student_attention(q, k, v)[0]

    result = {"student": student}
    for name, backend in attention_backends().items():

        def sdpa(q, k, v, _backend=backend):
            from torch.nn.attention import sdpa_kernel

            with sdpa_kernel([_backend]):
                return F.scaled_dot_product_attention(q, k, v)

        result[f"sdpa-{name}"] = sdpa
    return result


def _runs(function, q, k, v) -> bool:
    try:
        with torch.no_grad():
            function(q[..., :8, :], k[..., :8, :], v[..., :8, :])
        return True
    except RuntimeError:
        return False


def attention_flops(
    batch: int, heads: int, length: int, dim: int, backward: bool
) -> float:
    forward = 4.0 * batch * heads * length * length * dim
    return forward * (3.5 if backward else 1.0)


def bench_point(function, batch, heads, length, dim, dtype, device, repeats) -> dict:
    q, k, v = (
        torch.randn(
            batch, heads, length, dim, device=device, dtype=dtype, requires_grad=True
        )
        for _ in range(3)
    )  # (B, H, T, d) each
    grad = torch.randn(
        batch, heads, length, dim, device=device, dtype=dtype
    )  # (B, H, T, d)

    def forward():
        with torch.no_grad():
            return function(q, k, v)

    def forward_backward():
        for tensor in (q, k, v):
            tensor.grad = None
        out = function(q, k, v)
        out.backward(grad)
        return out

    row = {}
    for label, call, backward in (
        ("fwd", forward, False),
        ("fwd_bwd", forward_backward, True),
    ):
        try:
            seconds = median_time(call, repeats=repeats, warmup=1, device=device)
            _, peak = peak_memory(call, device)
        except (
            RuntimeError,
            torch.OutOfMemoryError,
        ) as error:  # out of memory, unsupported shape
            row[label] = {"error": str(error).splitlines()[0][:120]}
            if device.type == "cuda":
                torch.cuda.empty_cache()
            continue
        tflops = attention_flops(batch, heads, length, dim, backward) / seconds / 1e12
        row[label] = {
            "ms": round(seconds * 1e3, 3),
            "tflops": round(tflops, 4),
            "peak_mib": round(peak / 2**20, 2),
        }
    return row


def run(
    device: torch.device,
    lengths=None,
    head_dims=HEAD_DIMS,
    batch: int = 1,
    heads: int | None = None,
    repeats: int | None = None,
    log=print,
) -> dict:
    """Time every candidate at every (length, head dim): bf16 on CUDA, fp32 elsewhere."""
    cuda = device.type == "cuda"
    dtype = torch.bfloat16 if cuda else torch.float32
    lengths = tuple(lengths or (GPU_LENGTHS if cuda else CPU_LENGTHS))
    heads = heads or (8 if cuda else 2)
    repeats = repeats or (10 if cuda else 5)
    peak = bf16_peak_tflops(device) if cuda else None
    probe = torch.randn(1, 1, 8, 64, device=device, dtype=dtype)
    candidates = {
        name: f
        for name, f in _candidates(device).items()
        if _runs(f, probe, probe, probe)
    }
    unavailable = sorted(set(_candidates(device)) - set(candidates))
    rows = []
    for dim in head_dims:
        for length in lengths:
            for name, function in candidates.items():
                row = {
                    "impl": name,
                    "length": length,
                    "head_dim": dim,
                    "batch": batch,
                    "heads": heads,
                    "dtype": str(dtype).replace("torch.", ""),
                }
                row.update(
                    bench_point(
                        function, batch, heads, length, dim, dtype, device, repeats
                    )
                )
                for label in ("fwd", "fwd_bwd"):
                    if peak and "tflops" in row[label]:
                        row[label]["fraction_of_peak"] = round(
                            row[label]["tflops"] / peak, 4
                        )
                rows.append(row)
                fwd, both = row["fwd"], row["fwd_bwd"]
                log(
                    f"  d={dim:3d} T={length:6d} {name:>15}: fwd {fwd.get('ms', math.nan):9.2f} ms "
                    f"({fwd.get('tflops', math.nan):.3f} TFLOP/s), fwd+bwd {both.get('ms', math.nan):9.2f} ms"
                )
    return {
        "dtype": str(dtype).replace("torch.", ""),
        "batch": batch,
        "heads": heads,
        "repeats": repeats,
        "causal": False,
        "lengths": list(lengths),
        "head_dims": list(head_dims),
        "bf16_peak_tflops": peak,
        "unavailable_backends": unavailable,
        "rows": rows,
    }
