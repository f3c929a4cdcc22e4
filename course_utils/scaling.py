"""Measuring what attention costs, and cheaper kinds of attention (lesson 08_attention_at_scale).

    from course_utils.scaling import peak_memory, attention_backends, run_backend
    out, peak_bytes = peak_memory(lambda: q @ k.transpose(-2, -1))   # bytes of the tensors it created

* `peak_memory` measures the largest total size of the tensors a computation holds at once.
  On a CUDA device it reads the allocator's own peak (`torch.cuda.max_memory_allocated`). On
  the CPU, where PyTorch keeps no such count, it watches every ATen operation (a
  TorchDispatchMode), adds the bytes of each new storage it returns and subtracts them when
  the storage is freed. Scratch memory a fused kernel allocates inside itself is not seen there,
  only what the kernels return: that is the memory that grows with the (T, T) score matrix.
* `attention_backends` and `run_backend` call `F.scaled_dot_product_attention` with one kernel
  forced (math, flash, memory-efficient, cuDNN), and report a kernel that cannot run here.
* `naive_attention` is the course's explicit attention (lessons 02-05), for timing;
  `banded_attention` is sliding-window attention computed block by block with it, so its
  cost grows like T * window instead of T^2 (the idea of Longformer, Beltagy et al., 2020).
* `training_step_cost` times a whole training step of lesson 07's GPT and reads its peak
  memory at each context length, with fused or explicit attention: what a longer context
  costs once the rest of the model is counted too.
* The long-range lookup that compares what the cheaper kinds give up is a task:
  `course_utils.tasks.recall.long_range_recall`.
"""

from __future__ import annotations

import math
import warnings
import weakref
from collections.abc import Callable

import torch
from torch.nn import functional as F
from torch.utils._python_dispatch import TorchDispatchMode

from course_utils.reference import scaled_dot_product_attention

# ---------------------------------------------------------------------------------------
# Memory
# ---------------------------------------------------------------------------------------


class _LiveTensorBytes(TorchDispatchMode):
    """Counts the bytes of the storages that ATen operations return while they are alive."""

    def __init__(self):
        super().__init__()
        self.live: dict[
            int, list
        ] = {}  # storage key -> [bytes, number of live tensors on it]
        self.current = 0
        self.peak = 0

    def _release(self, key: int) -> None:
        entry = self.live.get(key)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] == 0:
            self.current -= entry[0]
            del self.live[key]

    def _track(self, tensor: torch.Tensor) -> None:
        try:
            storage = tensor.untyped_storage()
        except (RuntimeError, NotImplementedError):
            return
        key, size = storage.data_ptr(), storage.nbytes()
        if key == 0 or size == 0:
            return
        if key in self.live:
            self.live[key][1] += 1
        else:
            self.live[key] = [size, 1]
            self.current += size
            self.peak = max(self.peak, self.current)
        weakref.finalize(tensor, self._release, key)

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for value in out if isinstance(out, (tuple, list)) else (out,):
            if isinstance(value, torch.Tensor):
                self._track(value)
        return out


def peak_memory(
    function: Callable[[], object], device: torch.device | str | None = None
) -> tuple[object, int]:
    """(function(), the peak bytes of the tensors it held at once) (lesson 08).

    On CUDA this is the allocator's peak above what was allocated before the call. On the CPU
    it counts the storages returned by ATen operations (inputs that existed before the call are
    not counted; a fused kernel's internal scratch space is not seen).
    """
    kind = torch.device(device).type if device is not None else "cpu"
    if kind == "cuda":
        torch.cuda.synchronize(device)
        before = torch.cuda.memory_allocated(device)
        torch.cuda.reset_peak_memory_stats(device)
        result = function()
        torch.cuda.synchronize(device)
        return result, int(torch.cuda.max_memory_allocated(device) - before)
    counter = _LiveTensorBytes()
    with counter:
        result = function()
    return result, int(counter.peak)


def largest_intermediate(
    function: Callable[[], object],
) -> tuple[object, tuple[int, ...]]:
    """(function(), the shape of the largest tensor any ATen operation produced inside it) (lesson 08).

    A quick check that an attention never builds a (Lq, Lk) matrix.
    """
    largest: list = [()]

    class _Shapes(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            for value in out if isinstance(out, (tuple, list)) else (out,):
                if isinstance(value, torch.Tensor) and value.numel() > math.prod(
                    largest[0] or (0,)
                ):
                    largest[0] = tuple(value.shape)
            return out

    with _Shapes():
        result = function()
    return result, largest[0]


# ---------------------------------------------------------------------------------------
# Fused attention kernels
# ---------------------------------------------------------------------------------------


def attention_backends() -> dict[str, object]:
    """The SDPA kernels PyTorch can be forced to use, by name: math, flash, efficient, cudnn (lesson 08)."""
    from torch.nn.attention import SDPBackend

    names = {
        "math": "MATH",
        "flash": "FLASH_ATTENTION",
        "efficient": "EFFICIENT_ATTENTION",
        "cudnn": "CUDNN_ATTENTION",
    }
    return {
        name: getattr(SDPBackend, member)
        for name, member in names.items()
        if hasattr(SDPBackend, member)
    }


def run_backend(
    name: str, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, **kwargs
) -> torch.Tensor | None:
    """F.scaled_dot_product_attention(q, k, v, **kwargs) with only the kernel `name`; None if it cannot run here (lesson 08)."""
    from torch.nn.attention import sdpa_kernel

    backend = attention_backends()[name]
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore"
        )  # PyTorch explains at length why a kernel is unavailable
        try:
            with sdpa_kernel([backend]):
                return F.scaled_dot_product_attention(q, k, v, **kwargs)
        except RuntimeError:
            return None


def naive_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None
) -> torch.Tensor:
    """softmax(q k^T / sqrt(d)) v with explicit matrices, the attention of lessons 02-05 (lesson 08 times it).

    The output (..., Lq, d_v) of `course_utils.reference.scaled_dot_product_attention`.
    """
    out, _ = scaled_dot_product_attention(q, k, v, mask)
    return out  # (..., Lq, d_v)


# ---------------------------------------------------------------------------------------
# Cheaper attention
# ---------------------------------------------------------------------------------------


def banded_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    window: int,
    block: int | None = None,
) -> torch.Tensor:
    """Causal sliding-window attention computed block by block: query i sees keys i-window+1 .. i (lesson 08).

    Each block of `block` queries is scored only against the `block + window - 1` keys it can
    reach, so time and memory grow like T * (block + window), not T^2 (Beltagy et al., 2020,
    compute the same band with a custom kernel). q, k (..., T, d), v (..., T, d_v) -> (..., T, d_v).
    """
    length = q.shape[-2]
    block = block or max(1, window)
    outputs = []
    for start in range(0, length, block):
        stop = min(length, start + block)
        first = max(0, start - window + 1)
        rows = torch.arange(start, stop, device=q.device).unsqueeze(1)  # (b, 1)
        cols = torch.arange(first, stop, device=q.device).unsqueeze(0)  # (1, keys)
        allowed = (cols <= rows) & (rows - cols < window)  # (b, keys)
        out, _ = scaled_dot_product_attention(
            q[..., start:stop, :],  # (..., b, d)
            k[..., first:stop, :],  # (..., keys, d)
            v[..., first:stop, :],  # (..., keys, d_v)
            allowed,
        )
        outputs.append(out)  # (..., b, d_v)
    return torch.cat(outputs, dim=-2)  # (..., T, d_v)


def elu_feature_map(x: torch.Tensor) -> torch.Tensor:
    """phi(x) = elu(x) + 1, the positive feature map of Katharopoulos et al. (2020) (lesson 08)."""
    return F.elu(x) + 1.0


def linear_attention_quadratic(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor
) -> torch.Tensor:
    """Linear attention written the slow way, with the (Lq, Lk) similarity matrix (a reference for lesson 08's tests).

    out_i = sum_j phi(q_i).phi(k_j) v_j / sum_j phi(q_i).phi(k_j), phi = elu + 1.
    """
    similarity = elu_feature_map(q) @ elu_feature_map(k).transpose(
        -2, -1
    )  # (..., Lq, Lk)
    return (similarity @ v) / similarity.sum(dim=-1, keepdim=True)  # (..., Lq, d_v)


# ---------------------------------------------------------------------------------------
# What a longer context costs a whole training step
# ---------------------------------------------------------------------------------------


def training_step_cost(
    config,
    lengths,
    device: torch.device | str,
    *,
    fused: bool,
    tokens_per_step: int = 16_384,
    repeats: int = 5,
    vocab_size: int = 128,
) -> list[dict]:
    """Tokens per second and peak memory of one training step at each context length (lesson 08).

    `config` is a TrainConfig (lesson 07): its model, with `block_size` set to each length
    and no dropout, attending with the fused kernel or the explicit math (`fused`), takes
    the loop's step (`course_utils.reference.gpt.train_step`, AdamW from `make_optimizer`,
    the config's autocast) on random token ids, uncompiled. Every length trains on the same
    `tokens_per_step` (batch = tokens_per_step // length, at least 1), so the weights' work
    per token is fixed and what changes is the attention's, which grows with the length.
    Each row: length, batch, tokens_per_second (median of `repeats` steps after two
    untimed ones) and peak_mib (the CUDA allocator's peak; None on other devices), both
    None with an `error` where the step does not fit in memory.
    """
    device = torch.device(device)
    rows = []
    for length in lengths:
        batch = max(1, tokens_per_step // length)
        row = {"length": length, "batch": batch, "fused": fused}
        row.update(tokens_per_second=None, peak_mib=None)
        try:
            seconds, peak = _time_training_step(
                config, length, batch, device, fused, repeats, vocab_size
            )
            row["tokens_per_second"] = round(batch * length / seconds, 1)
            row["peak_mib"] = None if peak is None else round(peak / 2**20, 1)
        except torch.OutOfMemoryError:
            row["error"] = "out of memory"
        if device.type == "cuda":
            torch.cuda.empty_cache()
        rows.append(row)
    return rows


def _time_training_step(config, length, batch, device, fused, repeats, vocab_size):
    """(median seconds of one training step, CUDA peak bytes or None): see training_step_cost."""
    import dataclasses
    import functools

    from course_utils.gpt_utils import set_fused_attention
    from course_utils.reference.gpt import GPT, train_step
    from course_utils.timing import median_time
    from course_utils.train import (
        autocast_context,
        autocast_dtype,
        make_optimizer,
        make_scaler,
    )

    cuda = device.type == "cuda"
    amp = autocast_dtype(config, device)
    autocast = functools.partial(autocast_context, device, amp)
    scaler = make_scaler(amp, device)
    torch.manual_seed(0)
    sizes = dataclasses.replace(
        config.model_config(vocab_size), block_size=length, dropout=0.0
    )
    model = set_fused_attention(GPT(sizes).to(device), fused)
    optimizer = make_optimizer(model, config, device)
    ids = torch.randint(0, vocab_size, (2, batch, length), device=device)  # (2, B, T)
    pair = (ids[0], ids[1])  # inputs and targets, (B, T) each
    lr = config.learning_rate

    def step():
        train_step(model, pair, optimizer, lr, config, autocast, scaler)

    if cuda:
        torch.cuda.reset_peak_memory_stats(device)
    seconds = median_time(step, repeats=repeats, warmup=2, device=device)
    peak = torch.cuda.max_memory_allocated(device) if cuda else None
    return seconds, peak
