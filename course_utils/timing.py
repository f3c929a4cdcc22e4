"""Wall-clock timing of small PyTorch computations (first used in lesson 01_rnn_limits).

    from course_utils.timing import median_time
    seconds = median_time(lambda: x @ x.T, repeats=5)

The median of a few repeats, after a warm-up call, is robust to the odd slow run on a
busy machine. On a GPU, work is queued and returns at once, so the device is synchronised
before the clock starts and before it stops; otherwise the GPU would look infinitely fast.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable, Iterable, Iterator, Sequence

import torch


def synchronize(device: torch.device | str | None = None) -> None:
    """Wait until the queued work on `device` (CUDA or MPS) has finished; a no-op on the CPU (lesson 01)."""
    if device is None:
        return
    kind = torch.device(device).type
    if kind == "cuda" and torch.cuda.is_available():
        torch.cuda.synchronize(device)
    elif kind == "mps":
        mps = getattr(torch, "mps", None)
        if mps is not None and hasattr(mps, "synchronize"):
            mps.synchronize()


@contextlib.contextmanager
def cpu_threads(count: int | None = 1) -> Iterator[None]:
    """Run the block with `count` CPU threads (None: leave as is), then restore the setting (lesson 01).

    Small operations gain nothing from several threads: each one is too short to split, and on
    a busy machine the threads mostly wait for each other.
    """
    previous = torch.get_num_threads()
    if count is not None:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def median_time(
    function: Callable[[], object],
    repeats: int = 5,
    warmup: int = 1,
    device: torch.device | str | None = None,
    threads: int | None = None,
) -> float:
    """Median wall time of `function()` in seconds over `repeats` runs, after `warmup` untimed runs (lesson 01).

    Pass the `device` the work runs on, so that GPU work is waited for inside the timing, and
    `threads` to time with that many CPU threads (default: PyTorch's current setting).
    """
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    if warmup < 0:
        raise ValueError(f"warmup cannot be negative, got {warmup}")
    with cpu_threads(threads):
        return _median_time(function, repeats, warmup, device)


def _median_time(function, repeats, warmup, device) -> float:
    for _ in range(warmup):
        function()
    synchronize(device)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        synchronize(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_over_sizes(
    make_function: Callable[[int], Callable[[], object]],
    sizes: Iterable[int],
    repeats: int = 5,
    warmup: int = 1,
    device: torch.device | str | None = None,
    threads: int | None = None,
) -> list[float]:
    """Median seconds of `make_function(n)()` for each n in `sizes`; inputs are built outside the timing (lesson 01).

    `make_function(n)` prepares the inputs of size n and returns the zero-argument call to time.
    """
    return [
        median_time(
            make_function(n),
            repeats=repeats,
            warmup=warmup,
            device=device,
            threads=threads,
        )
        for n in sizes
    ]


def growth_exponent(sizes: Sequence[float], seconds: Sequence[float]) -> float:
    """Slope of log(time) against log(size), by least squares: ~1 for linear growth, ~2 for quadratic (lesson 01)."""
    if len(sizes) != len(seconds) or len(sizes) < 2:
        raise ValueError(
            "growth_exponent needs two or more (size, time) pairs of equal length"
        )
    xs = torch.log(torch.tensor(sizes, dtype=torch.float64))
    ys = torch.log(torch.tensor(seconds, dtype=torch.float64))
    xc, yc = xs - xs.mean(), ys - ys.mean()
    return float((xc * yc).sum() / (xc * xc).sum())
