"""The training loop of lesson 07: presets, mixed precision, checkpoints, and data parallelism.

In a notebook::

    from course_utils.train import preset, train
    result = train(preset("cpu"))                 # about 3 minutes on 2 CPU cores
    result = train(preset("cpu").shortened())     # a few seconds (quick mode, grading)
    result = train(preset("cpu", model={"n_layer": 2}), step=my_step)   # a lesson's own step

A run's settings are a `TrainConfig`, which holds the model's sizes as a `GPTConfig` in its
`model` field. `train` composes `build_run` (device, data, model, optimizer), a step
function (forward, backward, clipping, update) and `evaluate`. The default model, step and
sampler are lesson 07's answers (`course_utils.reference.gpt`: `GPT`, `train_step`,
`generate`), imported only when a call needs them, so a lesson can use this loop with its
own.

From a shell, the same loop, optionally data-parallel on several GPUs or CPU processes::

    python -m course_utils.train --preset gpu
    python -m course_utils.train --config my_run.json --set max_steps=2000 --checkpoint checkpoints/run.pt
    python -m course_utils.train --preset cpu --set model.n_layer=6 --set model.dropout=0.1
    torchrun --nproc_per_node=4 -m course_utils.train --preset gpu     # DistributedDataParallel

On a GPU the loop uses autocast (bfloat16 on compute capability 8.0 and newer, float16 with
a gradient scaler on older GPUs), torch.compile, fused attention and the fused AdamW kernel;
on a CPU it runs in float32 without compilation. `train` hands back the model in eval mode. Under torchrun every process draws
the same global batch and trains on its own slice of it, and DistributedDataParallel averages
the gradients (NCCL on GPUs, gloo on CPUs), so N processes follow the same trajectory as one
process with the whole batch.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from torch import nn

from course_utils.gpt_utils import GPTConfig, count_parameters, set_fused_attention
from course_utils.runtime import (
    describe_device,
    mixed_precision_dtype,
    pick_device,
    seed_everything,
)
from course_utils.tasks.text import CharTokenizer, TextData, load_corpus
from course_utils.train_config import (
    PRESETS,
    TrainConfig,
    config_from_file,
    learning_rate,
    preset,
)


def make_optimizer(
    model: nn.Module,
    config: TrainConfig,
    device: torch.device,
    fused: bool | None = None,
) -> torch.optim.AdamW:
    """AdamW with weight decay on matrices only (not biases, norms) (lesson 07).

    `fused` picks PyTorch's one-kernel AdamW; None uses it on CUDA only, and PyTorch's
    default implementation elsewhere.
    """
    params = {id(p): p for p in model.parameters() if p.requires_grad}.values()
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    groups = [
        {"params": decay, "weight_decay": config.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    fused = device.type == "cuda" if fused is None else fused
    extra = {"fused": True} if fused else {}
    return torch.optim.AdamW(
        groups, lr=config.learning_rate, betas=(config.beta1, config.beta2), **extra
    )


@dataclass
class Distributed:
    """Where this process stands under torchrun (rank 0 of 1 without it)."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def setup_distributed(device_choice: str) -> Distributed:
    """Start the process group when torchrun set WORLD_SIZE > 1: NCCL on CUDA, gloo otherwise (lesson 07)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return Distributed()
    import torch.distributed as dist

    rank, local = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = torch.cuda.is_available() and device_choice in ("auto", "cuda")
    if not dist.is_initialized():
        if use_cuda:
            torch.cuda.set_device(local)
        dist.init_process_group(backend="nccl" if use_cuda else "gloo")
    return Distributed(rank, world, local)


def choose_device(config: TrainConfig, dist_info: Distributed) -> torch.device:
    if config.device == "auto" and dist_info.world_size > 1:
        return (
            torch.device(f"cuda:{dist_info.local_rank}")
            if torch.cuda.is_available()
            else torch.device("cpu")
        )
    device = pick_device(None if config.device == "auto" else config.device)
    if device.type == "cuda" and dist_info.world_size > 1:
        device = torch.device(f"cuda:{dist_info.local_rank}")
    return device


def autocast_dtype(config: TrainConfig, device: torch.device) -> torch.dtype | None:
    """The autocast dtype of a run on `device`, or None: plain float32 (lesson 07).

    Only CUDA autocasts. config.dtype 'auto' follows `mixed_precision_dtype`: bfloat16 at
    compute capability 8.0 or more, float16 below; 'bfloat16' and 'float16' force one.
    """
    if config.dtype == "float32" or device.type != "cuda":
        return None
    if config.dtype == "bfloat16":
        return torch.bfloat16
    if config.dtype == "float16":
        return torch.float16
    return mixed_precision_dtype(device)


def make_scaler(amp: torch.dtype | None, device: torch.device):
    """A gradient scaler for float16 autocast, None otherwise (lesson 07).

    float16 has 5 exponent bits: gradients below about 6e-8 become 0. The scaler multiplies
    the loss before backward, divides the gradients again before the update, and skips a
    step whose gradients overflowed. bfloat16 keeps float32's range and needs none.
    """
    if amp != torch.float16:
        return None
    return torch.amp.GradScaler(device.type)


def should_compile(config: TrainConfig, device: torch.device) -> bool:
    if config.compile == "on":
        return True
    if config.compile == "off" or device.type != "cuda" or sys.platform == "win32":
        return False
    try:
        import triton  # noqa: F401  (torch.compile's GPU backend)
    except ImportError:
        return False
    return True


@dataclass
class TrainResult:
    """What `train` returns (lesson 07): the trained model (unwrapped), its tokenizer and the history."""

    model: nn.Module
    tokenizer: CharTokenizer
    config: TrainConfig
    history: list = field(
        default_factory=list
    )  # one dict per logged step: step, train_loss, lr
    evals: list = field(
        default_factory=list
    )  # one dict per evaluation: step, train_loss, val_loss, seconds
    seconds: float = 0.0
    tokens_per_second: float = 0.0
    device: str = "cpu"

    @property
    def final_val_loss(self) -> float:
        return self.evals[-1]["val_loss"] if self.evals else float("nan")

    def sample(
        self,
        prompt: str = "\n",
        length: int = 300,
        temperature: float = 0.8,
        top_k: int | None = None,
        seed: int = 0,
    ) -> str:
        """Text the model writes after `prompt` (characters it has never seen are dropped)."""
        return sample_text(
            self.model, self.tokenizer, prompt, length, temperature, top_k, seed
        )


def sample_text(
    model: nn.Module,
    tokenizer: CharTokenizer,
    prompt: str = "\n",
    length: int = 300,
    temperature: float = 0.8,
    top_k: int | None = None,
    seed: int = 0,
    generate_fn=None,
) -> str:
    """Decode `length` sampled characters after `prompt`, reproducibly for a given seed (lesson 07).

    `generate_fn(model, idx, length, temperature=..., top_k=...)` samples the tokens; None
    uses the course's `generate` (`course_utils.reference.gpt`, an answer of lesson 07). The
    model samples in eval mode (no dropout), whatever `generate_fn` does; its previous mode
    is restored afterwards.
    """
    if generate_fn is None:
        from course_utils.reference.gpt import generate as generate_fn
    device = next(model.parameters()).device
    ids = tokenizer.encode(prompt, errors="skip") or [0]
    idx = torch.tensor([ids], dtype=torch.long, device=device)  # (1, len(prompt))
    state, was_training = torch.random.get_rng_state(), model.training
    torch.manual_seed(seed)
    model.eval()
    try:
        out = generate_fn(model, idx, length, temperature=temperature, top_k=top_k)
    finally:
        torch.random.set_rng_state(state)
        model.train(was_training)
    return tokenizer.decode(out[0, len(ids) :])


@torch.no_grad()
def estimate_loss(
    model: nn.Module,
    data: TextData,
    config: TrainConfig,
    device: torch.device,
    amp: torch.dtype | None,
) -> dict[str, float]:
    """Mean loss over eval_batches fixed batches of each split (the same batches every time) (lesson 07)."""
    was_training = model.training
    model.eval()
    losses = {}
    for split in ("train", "val"):
        generator = torch.Generator().manual_seed(config.seed + 1)
        total = 0.0
        for _ in range(config.eval_batches):
            x, y = data.batch(
                split, config.batch_size, config.model.block_size, generator, device
            )
            with autocast_context(device, amp):
                _, loss = model(x, y)
            total += float(loss)
        losses[split] = total / config.eval_batches
    model.train(was_training)
    return losses


def autocast_context(device: torch.device, amp: torch.dtype | None):
    """The context a forward pass runs in: autocast to `amp` on `device`, or nothing when
    `amp` is None (lesson 07)."""
    if amp is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=amp)


def save_checkpoint(
    path: str | Path,
    model: nn.Module,
    tokenizer: CharTokenizer,
    config: TrainConfig,
    step: int,
    optimizer: torch.optim.Optimizer | None = None,
    history=None,
    evals=None,
) -> Path:
    """Write model, optimizer, tokenizer, configs and progress to `path` atomically (lesson 07)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "model": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "model_config": model.config.to_dict()
        if hasattr(model.config, "to_dict")
        else asdict(model.config),
        "train_config": asdict(config),
        "tokenizer": tokenizer.state_dict(),
        "step": step,
        "optimizer": optimizer.state_dict() if optimizer is not None else None,
        "history": list(history or []),
        "evals": list(evals or []),
        "torch_version": torch.__version__,
    }
    scratch = path.with_name(path.name + ".tmp")
    torch.save(state, scratch)
    os.replace(scratch, path)
    return path


def load_checkpoint(path: str | Path, model_class=None, device="cpu"):
    """(model, tokenizer, checkpoint dict) from a file written by save_checkpoint (lesson 07).

    `model_class` builds the model from a GPTConfig, so a lesson's own GPT class can load it;
    None uses the course's `GPT` (`course_utils.reference.gpt`, an answer of lesson 07). The
    model comes back in eval mode, ready to sample or evaluate.
    """
    if model_class is None:
        from course_utils.reference.gpt import GPT as model_class
    state = torch.load(Path(path), map_location="cpu", weights_only=False)
    model = model_class(GPTConfig(**state["model_config"]))
    model.load_state_dict(state["model"])
    model = model.to(device).eval()
    return model, CharTokenizer.from_state_dict(state["tokenizer"]), state


def _progress(total: int, initial: int, enabled: bool, notebook: bool):
    if not enabled:
        return None
    if notebook:
        from tqdm.auto import tqdm
    else:
        from tqdm import tqdm
    return tqdm(
        total=total, initial=initial, unit="step", dynamic_ncols=True, smoothing=0.1
    )


def _in_notebook() -> bool:
    return "ipykernel" in sys.modules


@dataclass
class Run:
    """A training run set up by `build_run`: what each step and evaluation needs (lesson 07)."""

    config: TrainConfig
    model: nn.Module  # the model whose weights are trained
    runner: nn.Module  # what a step calls: the model, compiled and/or data-parallel
    optimizer: torch.optim.Optimizer
    data: TextData
    device: torch.device
    amp: torch.dtype | None  # the autocast dtype; None runs in float32
    dist: Distributed = field(default_factory=Distributed)
    scaler: torch.amp.GradScaler | None = None  # float16 autocast only (make_scaler)
    step: int = 0  # steps taken so far (a resumed run starts after the saved ones)
    # one dict per step (step, train_loss, lr), and one per evaluation
    history: list = field(default_factory=list)
    evals: list = field(default_factory=list)

    def schedule(self, step: int) -> float:
        """The learning rate of `step` (see learning_rate)."""
        return learning_rate(self.config, step)

    def autocast(self):
        """The context a forward pass runs in: autocast on a GPU, or nothing."""
        return autocast_context(self.device, self.amp)

    def batch(self, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        """This process's share (x, y), (b, T) each, of the global batch of `step`.

        A generator seeded by the step draws it, so every process, and a resumed run,
        draws what an uninterrupted single process would.
        """
        block_size = self.config.model.block_size
        local = self.config.batch_size // self.dist.world_size
        generator = torch.Generator().manual_seed(self.config.seed * 1_000_003 + step)
        starts = self.data.starts(
            "train", self.config.batch_size, block_size, generator
        )
        mine = starts[self.dist.rank * local : (self.dist.rank + 1) * local]  # (b,)
        return self.data.windows("train", mine, block_size, self.device)  # (b, T) each


def build_run(
    config: TrainConfig,
    model: nn.Module | None = None,
    data: TextData | None = None,
    *,
    resume: bool = False,
) -> Run:
    """Everything a run needs before its first step (lesson 07): device, data, model, optimizer.

    The corpus comes from config.corpus unless `data` is given, the model is a new GPT
    (`course_utils.reference.gpt.GPT`) unless `model` is given (any module with the GPT
    forward contract and a .config). With
    `resume=True` and an existing config.checkpoint, the model, optimizer, step and history
    are the saved ones.
    """
    dist_info = setup_distributed(config.device)
    device = choose_device(config, dist_info)
    seed_everything(config.seed)
    if config.batch_size % dist_info.world_size:
        raise ValueError(
            f"batch_size={config.batch_size} does not split over {dist_info.world_size} processes"
        )
    if data is None:
        data = TextData.from_text(load_corpus(config.corpus, config.max_chars))
    vocab_size, block_size = data.tokenizer.vocab_size, config.model.block_size
    saved = _saved_run(config, data.tokenizer) if resume else None
    if model is None:
        from course_utils.reference.gpt import GPT

        model = GPT(config.model_config(vocab_size))
    if model.config.vocab_size < vocab_size or model.config.block_size < block_size:
        raise ValueError(
            f"the model (vocab {model.config.vocab_size}, block {model.config.block_size}) is too small "
            f"for the data (vocab {vocab_size}, block {block_size})"
        )
    if saved is not None:
        model.load_state_dict(saved["model"])
    set_fused_attention(model, config.fused_attention)
    model.to(device)
    run = Run(
        config=config,
        model=model,
        runner=model,
        optimizer=make_optimizer(model, config, device),
        data=data,
        device=device,
        amp=autocast_dtype(config, device),
        dist=dist_info,
    )
    run.scaler = make_scaler(run.amp, device)
    if saved is not None:
        if saved.get("optimizer"):
            run.optimizer.load_state_dict(saved["optimizer"])
        run.step, run.history, run.evals = (
            saved["step"],
            saved["history"],
            saved["evals"],
        )
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    if should_compile(config, device):
        run.runner = torch.compile(model, mode=config.compile_mode)
    if dist_info.world_size > 1:
        from torch.nn.parallel import DistributedDataParallel

        run.runner = DistributedDataParallel(
            run.runner, device_ids=[device.index] if device.type == "cuda" else None
        )
    return run


def _saved_run(config: TrainConfig, tokenizer: CharTokenizer) -> dict | None:
    """The checkpoint to resume from (config.checkpoint), or None when there is none yet."""
    if not (config.checkpoint and Path(config.checkpoint).is_file()):
        return None
    saved = torch.load(config.checkpoint, map_location="cpu", weights_only=False)
    if saved["tokenizer"]["chars"] != tokenizer.itos:
        raise ValueError(
            f"{config.checkpoint} was trained on another character set: cannot resume on this corpus"
        )
    return saved


def takes_scaler(step) -> bool:
    """Whether a step function accepts the `scaler` argument (or any keyword) (lesson 07)."""
    try:
        parameters = inspect.signature(step).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(
        p.name == "scaler" or p.kind is inspect.Parameter.VAR_KEYWORD
        for p in parameters
    )


def evaluate(run: Run, seconds: float) -> dict:
    """Both splits' losses at run.step, added to run.evals and saved to the checkpoint (lesson 07)."""
    losses = estimate_loss(run.model, run.data, run.config, run.device, run.amp)
    record = {
        "step": run.step,
        "train_loss": losses["train"],
        "val_loss": losses["val"],
        "seconds": seconds,
    }
    run.evals.append(record)
    if run.config.checkpoint and run.dist.is_main:
        save_checkpoint(
            run.config.checkpoint,
            run.model,
            run.data.tokenizer,
            run.config,
            run.step,
            run.optimizer,
            run.history,
            run.evals,
        )
    return record


def mean_over_processes(value: torch.Tensor, dist_info: Distributed) -> float:
    """The mean of `value` over the processes of a data-parallel run (lesson 07)."""
    if dist_info.world_size > 1:
        import torch.distributed as dist

        dist.all_reduce(value)
        value = value / dist_info.world_size
    return float(value)


class _Throughput:
    """Tokens per second of a run, leaving out its first steps (compilation, warm-up)."""

    def __init__(self, skip: int = 3):
        self.start, self.skip = time.perf_counter(), skip
        self.tokens = self.steps = self.timed_tokens = 0
        self.timed_from: float | None = None

    def add(self, tokens: int) -> None:
        """Count one step of `tokens` tokens."""
        self.tokens, self.steps = self.tokens + tokens, self.steps + 1
        if self.timed_from is None and self.steps >= self.skip:
            self.timed_from, self.timed_tokens = time.perf_counter(), self.tokens

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def rate(self) -> float:
        now = time.perf_counter()
        if self.timed_from is not None and now > self.timed_from:
            if self.tokens > self.timed_tokens:
                return (self.tokens - self.timed_tokens) / (now - self.timed_from)
        return self.tokens / max(now - self.start, 1e-9)


def _log_start(run: Run, log) -> None:
    # Two lines of under 90 characters: a notebook's output area wraps longer ones.
    processes = run.dist.world_size
    log(
        f"training {count_parameters(run.model) / 1e6:.2f} M parameters on {describe_device(run.device)}"
        f"{f' x {processes} processes' if processes > 1 else ''}; "
        f"{len(run.data.train):,} training characters, vocabulary {run.data.tokenizer.vocab_size}"
    )
    log(
        f"autocast {run.amp or 'off'}{' with a gradient scaler' if run.scaler else ''}, "
        f"compiled {run.runner is not run.model}, "
        f"steps {run.step} -> {run.config.max_steps}"
    )


def train(
    config: TrainConfig,
    model: nn.Module | None = None,
    data: TextData | None = None,
    *,
    step=None,
    resume: bool = False,
    progress: bool = True,
    log=print,
    stop_at_val_loss: float | None = None,
) -> TrainResult:
    """Train a GPT (or `model`, any module with the GPT forward contract and a .config) (lesson 07).

    `build_run` sets the run up, `step` takes each optimisation step: a function
    `step(model, batch, optimizer, lr, config, autocast[, scaler])` that returns the batch's
    loss, a lesson's own, or None for the course's `train_step` (`course_utils.reference.gpt`,
    an answer of lesson 07). `evaluate` runs every eval_interval steps. With
    `resume=True` and an existing config.checkpoint, training continues from the saved step;
    the batches drawn afterwards are the ones an uninterrupted run would have drawn, so
    resuming changes nothing but the wall time.

    With `stop_at_val_loss`, training stops after the first evaluation whose validation
    loss is at or below it (lesson 10 measures steps to a target loss this way).

    A float16 run (a CUDA GPU older than compute capability 8.0) passes its gradient scaler
    as `scaler=`; a `step` that takes no `scaler` trains in float32 instead. The model comes
    back in eval mode: call `.train()` before training it further by hand.
    """
    if step is None:
        from course_utils.reference.gpt import train_step as step
    run = build_run(config, model, data, resume=resume)
    main_process = run.dist.is_main
    if run.scaler is not None and not takes_scaler(step):
        run.amp, run.scaler = None, None
        if main_process:
            log("the step function takes no `scaler`: float16 autocast off, float32")
    extra = {} if run.scaler is None else {"scaler": run.scaler}
    if main_process:
        _log_start(run, log)
    bar = _progress(
        config.max_steps, run.step, progress and main_process, _in_notebook()
    )
    run.model.train()
    clock, first_step = _Throughput(), run.step
    try:
        while run.step < config.max_steps:
            lr = run.schedule(run.step)
            batch = run.batch(run.step)  # (b, T) each
            loss = step(
                run.runner, batch, run.optimizer, lr, config, run.autocast, **extra
            )
            run.step += 1
            loss_value = mean_over_processes(loss, run.dist)
            run.history.append({"step": run.step, "train_loss": loss_value, "lr": lr})
            clock.add(config.tokens_per_step())
            shown = {"loss": f"{loss_value:.3f}", "tok_s": f"{clock.rate():,.0f}"}
            if bar is not None:
                bar.set_postfix(shown, refresh=False)
                bar.update(1)
            if run.step % config.eval_interval == 0 or run.step == config.max_steps:
                record = evaluate(run, clock.elapsed())
                if bar is not None:
                    bar.set_postfix({**shown, "val": f"{record['val_loss']:.3f}"})
                if stop_at_val_loss is not None:
                    if record["val_loss"] <= stop_at_val_loss:
                        break
    finally:
        if bar is not None:
            bar.close()
        run.model.eval()
    seconds, rate = clock.elapsed(), clock.rate()
    if main_process and clock.tokens:
        log(
            f"{run.step - first_step} steps in {seconds:.1f} s ({rate:,.0f} tokens/s); "
            f"val loss {run.evals[-1]['val_loss']:.3f}"
            if run.evals
            else ""
        )
    return TrainResult(
        run.model,
        run.data.tokenizer,
        config,
        run.history,
        run.evals,
        seconds,
        rate,
        str(run.device),
    )


def main(argv: list[str] | None = None) -> int:
    """`python -m course_utils.train`: the lesson 07 loop as a script, data-parallel under torchrun."""
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.train", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--preset", default=None, help=f"one of {', '.join(PRESETS)} (default cpu)"
    )
    parser.add_argument(
        "--config",
        default=None,
        help="a JSON or TOML file of settings (may name a preset)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change one setting, e.g. --set max_steps=500 or --set model.n_layer=6 "
        "(repeatable)",
    )
    parser.add_argument(
        "--checkpoint", default=None, help="where to save (and resume from)"
    )
    parser.add_argument(
        "--resume", action="store_true", help="continue from --checkpoint if it exists"
    )
    parser.add_argument(
        "--quick", action="store_true", help="a shortened run (a few steps)"
    )
    parser.add_argument(
        "--sample",
        type=int,
        default=300,
        help="characters to sample at the end (0: none)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--summary", default=None, help="write the final losses and timing as JSON here"
    )
    args = parser.parse_args(argv)
    overrides = {}
    for item in args.set:
        key, _, raw = item.partition("=")
        try:
            overrides[key] = json.loads(raw)
        except json.JSONDecodeError:
            overrides[key] = raw
    if args.checkpoint:
        overrides["checkpoint"] = args.checkpoint
    if args.config and args.preset:
        parser.error(
            "give --preset or --config, not both (a config file may name its preset)"
        )
    try:
        if args.config:
            config = config_from_file(args.config, **overrides)
        else:
            config = preset(args.preset or "cpu", **overrides)
    except (TypeError, ValueError) as error:
        parser.error(str(error))
    if args.quick:
        config = config.shortened()
    result = train(config, resume=args.resume, progress=not args.no_progress)
    dist_info = setup_distributed(config.device)
    if dist_info.is_main:
        if args.sample:
            print("---- sample ----")
            print(result.sample("\n", args.sample))
        if args.summary:
            Path(args.summary).write_text(
                json.dumps(
                    {
                        "config": asdict(config),
                        "evals": result.evals,
                        "seconds": result.seconds,
                        "device": result.device,
                        "tokens_per_second": result.tokens_per_second,
                    },
                    indent=2,
                )
            )
    if dist_info.world_size > 1:
        import torch.distributed as dist

        dist.barrier()
        dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
