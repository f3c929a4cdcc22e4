"""Device choice, seeding and quick mode (taught in lesson 00_orientation).

Every lesson starts with::

    from course_utils.runtime import pick_device, seed_everything, quick_mode
    device = pick_device()
    seed_everything(0)
    STEPS = 100 if quick_mode() else 2000
"""

from __future__ import annotations

import os
import random

import numpy as np
import torch

QUICK_ENV = "COURSE_QUICK"  # set to 1 to shorten demos and training runs
GRADER_ENV = "NBGRADER_EXECUTION"  # nbgrader sets it in the kernel while grading
DEVICE_ENV = "COURSE_DEVICE"  # force a device: cpu, cuda, mps


def quick_mode() -> bool:
    """True while nbgrader grades the notebook or when COURSE_QUICK=1 (lesson 00).

    Demos and training loops use it to run a few steps instead of thousands, so that
    grading a class pays seconds per submission, while students see the full version.
    """
    if os.environ.get(GRADER_ENV):
        return True
    return os.environ.get(QUICK_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def pick_device(prefer: str | None = None) -> torch.device:
    """The fastest device here: CUDA, else Apple's MPS, else the CPU (lesson 00).

    `prefer` (or the COURSE_DEVICE variable) forces one; asking for a device that is not
    there raises a ValueError that says which ones are.
    """
    wanted = (prefer or os.environ.get(DEVICE_ENV) or "").strip().lower()
    available = available_devices()
    if wanted:
        if wanted not in available:
            raise ValueError(
                f"device {wanted!r} was asked for, but this machine has only {available}"
            )
        return torch.device(wanted)
    return torch.device(available[0])


def available_devices() -> list[str]:
    """Device types usable here, fastest first; 'cpu' is always last (lesson 00)."""
    devices = []
    if torch.cuda.is_available():
        devices.append("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        devices.append("mps")
    devices.append("cpu")
    return devices


def describe_device(device: torch.device | str | None = None) -> str:
    """A one-line human description of a device, e.g. 'cuda (NVIDIA H100, 80 GiB)' (lesson 00)."""
    device = torch.device(device) if device is not None else pick_device()
    if device.type == "cuda":
        index = (
            device.index if device.index is not None else torch.cuda.current_device()
        )
        props = torch.cuda.get_device_properties(index)
        return f"cuda ({props.name}, {props.total_memory / 2**30:.0f} GiB)"
    if device.type == "mps":
        return "mps (Apple GPU)"
    return f"cpu ({torch.get_num_threads()} threads)"


def seed_everything(seed: int = 0) -> None:
    """Seed Python, NumPy and PyTorch (all devices) so a run repeats exactly (lesson 00)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds CUDA and MPS generators


def mixed_precision_dtype(device: torch.device | str) -> torch.dtype | None:
    """The autocast dtype for training fast on `device`, or None for float32 (lesson 07).

    bfloat16 on a CUDA GPU of compute capability 8.0 or more (Ampere and newer), whose
    tensor cores compute in it; float16 on an older CUDA GPU (a T4 is 7.5), which then
    needs a gradient scaler (`torch.amp.GradScaler`) against gradients that underflow;
    None on a CPU or MPS. It reads the capability, not `torch.cuda.is_bf16_supported()`,
    which also answers True on older GPUs that only emulate bfloat16, slowly.
    """
    device = torch.device(device)
    if device.type != "cuda":
        return None
    major, _ = torch.cuda.get_device_capability(device)
    return torch.bfloat16 if major >= 8 else torch.float16
