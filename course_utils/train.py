"""The training loop of lesson 07: presets, mixed precision, checkpoints, and data parallelism.

In a notebook::

    from course_utils.train import preset, train
    result = train(preset("cpu"))                 # about 3 minutes on 2 CPU cores
    result = train(preset("cpu").shortened())     # a few seconds (quick mode, grading)

From a shell, the same loop, optionally data-parallel on several GPUs or CPU processes::

    python -m course_utils.train --preset gpu
    python -m course_utils.train --config my_run.json --set max_steps=2000 --checkpoint checkpoints/run.pt
    torchrun --nproc_per_node=4 -m course_utils.train --preset gpu     # DistributedDataParallel

On a GPU the loop uses bf16 autocast, torch.compile, fused attention and the fused AdamW
kernel; on a CPU it runs in float32 without compilation. Under torchrun every process draws
the same global batch and trains on its own slice of it, and DistributedDataParallel averages
the gradients (NCCL on GPUs, gloo on CPUs), so N processes follow the same trajectory as one
process with the whole batch.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import math
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from torch import nn

from course_utils.reference.gpt import (
    GPT,
    GPTConfig,
    count_parameters,
    generate,
    set_fused_attention,
)
from course_utils.runtime import describe_device, pick_device, seed_everything
from course_utils.tasks.text import CharTokenizer, TextData, load_corpus


@dataclass
class TrainConfig:
    """Everything that defines a training run (lesson 07). Unknown keys are rejected."""

    corpus: str = "python-stdlib"  # a corpus name of course_utils.tasks.text, or a path to a text file
    max_chars: int | None = None  # keep only the beginning of the corpus
    # model
    n_layer: int = 4
    n_head: int = 4
    d_model: int = 128
    block_size: int = 64
    dropout: float = 0.0
    # optimisation: AdamW, linear warm-up then cosine decay to min_lr (Loshchilov & Hutter, 2017)
    batch_size: int = 32  # the global batch, split over the processes under torchrun
    max_steps: int = 1000
    learning_rate: float = 2e-3
    min_lr: float = 2e-4
    warmup_steps: int = 50
    weight_decay: float = 0.1
    beta1: float = 0.9
    beta2: float = 0.99
    grad_clip: float = 1.0
    # evaluation and logging
    eval_interval: int = 100
    eval_batches: int = 10
    # runtime
    device: str = "auto"  # auto, cpu, cuda, mps
    dtype: str = (
        "auto"  # auto (bfloat16 autocast on a GPU that supports it), float32, bfloat16
    )
    compile: str = "auto"  # auto (on CUDA only), on, off
    fused_attention: bool = True
    seed: int = 1337
    checkpoint: str | None = None  # path; saved at every evaluation and at the end
    name: str = "custom"

    def __post_init__(self):
        if self.batch_size < 1 or self.max_steps < 0 or self.block_size < 1:
            raise ValueError(
                "batch_size and block_size must be positive and max_steps non-negative"
            )
        for key, allowed in [
            ("device", ("auto", "cpu", "cuda", "mps")),
            ("dtype", ("auto", "float32", "bfloat16")),
            ("compile", ("auto", "on", "off")),
        ]:
            if getattr(self, key) not in allowed:
                raise ValueError(
                    f"TrainConfig.{key} must be one of {allowed}, got {getattr(self, key)!r}"
                )
        GPTConfig(
            vocab_size=1,
            block_size=self.block_size,
            n_layer=self.n_layer,
            n_head=self.n_head,
            d_model=self.d_model,
            dropout=self.dropout,
        )  # validates the model sizes

    def replace(self, **changes) -> TrainConfig:
        """A copy with some fields changed; unknown names raise a TypeError that lists the known ones."""
        check_keys(changes)
        return dataclasses.replace(self, **changes)

    def shortened(self, steps: int = 30) -> TrainConfig:
        """The same run cut to a few steps on a small slice of the corpus, for quick mode and tests (lesson 07)."""
        return self.replace(
            max_steps=min(self.max_steps, steps),
            warmup_steps=min(self.warmup_steps, steps // 3),
            eval_interval=max(1, min(self.eval_interval, steps)),
            eval_batches=2,
            max_chars=min(self.max_chars or 200_000, 200_000),
            name=f"{self.name} (shortened)",
        )

    def model_config(self, vocab_size: int) -> GPTConfig:
        return GPTConfig(
            vocab_size=vocab_size,
            block_size=self.block_size,
            n_layer=self.n_layer,
            n_head=self.n_head,
            d_model=self.d_model,
            dropout=self.dropout,
        )

    def tokens_per_step(self) -> int:
        return self.batch_size * self.block_size


def check_keys(values: dict) -> None:
    """Raise a TypeError naming any key that is not a TrainConfig field (lesson 07)."""
    known = [f.name for f in dataclasses.fields(TrainConfig)]
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise TypeError(
            f"unknown training setting(s) {unknown}; known settings: {', '.join(known)}"
        )


PRESETS: dict[str, TrainConfig] = {
    # About 0.47 M parameters; about 3 minutes on 2 CPU cores (measured in lesson 07).
    "cpu": TrainConfig(
        name="cpu",
        n_layer=4,
        n_head=4,
        d_model=96,
        block_size=64,
        batch_size=32,
        max_steps=1500,
        learning_rate=3e-3,
        min_lr=3e-4,
        warmup_steps=50,
        eval_interval=250,
        eval_batches=10,
    ),
    # The character-level configuration of nanoGPT's shakespeare_char example (Karpathy, 2022):
    # 6 layers, 6 heads, 384 wide, 256 characters of context, about 10.8 M parameters.
    "gpu": TrainConfig(
        name="gpu",
        n_layer=6,
        n_head=6,
        d_model=384,
        block_size=256,
        dropout=0.2,
        batch_size=64,
        max_steps=5000,
        learning_rate=1e-3,
        min_lr=1e-4,
        warmup_steps=100,
        beta2=0.99,
        eval_interval=250,
        eval_batches=50,
    ),
    # A seconds-long run for tests and smoke checks.
    "tiny": TrainConfig(
        name="tiny",
        n_layer=2,
        n_head=2,
        d_model=32,
        block_size=32,
        batch_size=8,
        max_steps=20,
        learning_rate=3e-3,
        min_lr=3e-4,
        warmup_steps=5,
        eval_interval=10,
        eval_batches=2,
        max_chars=50_000,
    ),
}


def preset(name: str, **overrides) -> TrainConfig:
    """A named preset ('cpu', 'gpu', 'tiny') with optional changes, e.g. preset('cpu', max_steps=300) (lesson 07)."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; presets: {', '.join(PRESETS)}")
    return PRESETS[name].replace(**overrides)


def config_from_file(path: str | Path, **overrides) -> TrainConfig:
    """A TrainConfig from a JSON or TOML file; an optional 'preset' key names the base (lesson 07)."""
    path = Path(path)
    text = path.read_text()
    if path.suffix == ".toml":
        import tomllib

        values = tomllib.loads(text)
    else:
        values = json.loads(text)
    base = values.pop("preset", None)
    values.update(overrides)
    check_keys(values)
    return preset(base, **values) if base else TrainConfig(**values)


def learning_rate(config: TrainConfig, step: int) -> float:
    """Linear warm-up over warmup_steps, then cosine decay to min_lr at max_steps (lesson 07)."""
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    span = max(1, config.max_steps - config.warmup_steps)
    progress = min(1.0, (step - config.warmup_steps) / span)
    return config.min_lr + 0.5 * (1 + math.cos(math.pi * progress)) * (
        config.learning_rate - config.min_lr
    )


def make_optimizer(
    model: nn.Module, config: TrainConfig, device: torch.device
) -> torch.optim.AdamW:
    """AdamW with weight decay on matrices only (not biases, norms); fused kernel on CUDA (lesson 07)."""
    params = {id(p): p for p in model.parameters() if p.requires_grad}.values()
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    groups = [
        {"params": decay, "weight_decay": config.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    extra = {"fused": True} if device.type == "cuda" else {}
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
    """bfloat16 autocast on a CUDA GPU that supports it (Ampere or newer), else None: plain float32 (lesson 07)."""
    if config.dtype == "float32" or device.type != "cuda":
        return None
    if config.dtype == "bfloat16" or torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return None


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
    generate_fn=generate,
) -> str:
    """Decode `length` sampled characters after `prompt`, reproducibly for a given seed (lesson 07)."""
    device = next(model.parameters()).device
    ids = tokenizer.encode(prompt, errors="skip") or [0]
    idx = torch.tensor([ids], dtype=torch.long, device=device)  # (1, len(prompt))
    state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        out = generate_fn(model, idx, length, temperature=temperature, top_k=top_k)
    finally:
        torch.random.set_rng_state(state)
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
                split, config.batch_size, config.block_size, generator, device
            )
            with _autocast(device, amp):
                _, loss = model(x, y)
            total += float(loss)
        losses[split] = total / config.eval_batches
    model.train(was_training)
    return losses


def _autocast(device: torch.device, amp: torch.dtype | None):
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


def load_checkpoint(path: str | Path, model_class=GPT, device="cpu"):
    """(model, tokenizer, checkpoint dict) from a file written by save_checkpoint (lesson 07).

    `model_class` builds the model from a GPTConfig, so a lesson's own GPT class can load it.
    """
    state = torch.load(Path(path), map_location="cpu", weights_only=False)
    model = model_class(GPTConfig(**state["model_config"]))
    model.load_state_dict(state["model"])
    return model.to(device), CharTokenizer.from_state_dict(state["tokenizer"]), state


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


def train(
    config: TrainConfig,
    model: nn.Module | None = None,
    data: TextData | None = None,
    *,
    resume: bool = False,
    progress: bool = True,
    log=print,
) -> TrainResult:
    """Train a GPT (or `model`, any module with the GPT forward contract and a .config) (lesson 07).

    The corpus comes from config.corpus unless `data` is given. With `resume=True` and an
    existing config.checkpoint, training continues from the saved step with the saved model,
    optimizer and history; the batches drawn afterwards are the ones an uninterrupted run
    would have drawn, so resuming changes nothing but the wall time.
    """
    dist_info = setup_distributed(config.device)
    device = choose_device(config, dist_info)
    seed_everything(config.seed)
    if config.batch_size % dist_info.world_size:
        raise ValueError(
            f"batch_size={config.batch_size} does not split over {dist_info.world_size} processes"
        )
    local_batch = config.batch_size // dist_info.world_size
    if data is None:
        text = load_corpus(config.corpus, config.max_chars)
        data = TextData.from_text(text)
    tokenizer = data.tokenizer
    saved = None
    if resume and config.checkpoint and Path(config.checkpoint).is_file():
        saved = torch.load(config.checkpoint, map_location="cpu", weights_only=False)
        if saved["tokenizer"]["chars"] != tokenizer.itos:
            raise ValueError(
                f"{config.checkpoint} was trained on another character set: cannot resume on this corpus"
            )
    if model is None:
        model = GPT(config.model_config(tokenizer.vocab_size))
    if (
        model.config.vocab_size < tokenizer.vocab_size
        or model.config.block_size < config.block_size
    ):
        raise ValueError(
            f"the model (vocab {model.config.vocab_size}, block {model.config.block_size}) is too small "
            f"for the data (vocab {tokenizer.vocab_size}, block {config.block_size})"
        )
    if saved is not None:
        model.load_state_dict(saved["model"])
    set_fused_attention(model, config.fused_attention)
    model.to(device)
    optimizer = make_optimizer(model, config, device)
    step, history, evals = 0, [], []
    if saved is not None:
        if saved.get("optimizer"):
            optimizer.load_state_dict(saved["optimizer"])
        step, history, evals = saved["step"], saved["history"], saved["evals"]
    amp = autocast_dtype(config, device)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    runner: nn.Module = model
    if should_compile(config, device):
        runner = torch.compile(model)
    if dist_info.world_size > 1:
        from torch.nn.parallel import DistributedDataParallel

        runner = DistributedDataParallel(
            runner, device_ids=[device.index] if device.type == "cuda" else None
        )
    if dist_info.is_main:
        # Two lines of under 90 characters: a notebook's output area wraps longer ones.
        log(
            f"training {count_parameters(model) / 1e6:.2f} M parameters on {describe_device(device)}"
            f"{f' x {dist_info.world_size} processes' if dist_info.world_size > 1 else ''}; "
            f"{len(data.train):,} training characters, vocabulary {tokenizer.vocab_size}"
        )
        log(
            f"autocast {amp or 'off'}, compiled {runner is not model}, steps {step} -> {config.max_steps}"
        )
    bar = _progress(
        config.max_steps, step, progress and dist_info.is_main, _in_notebook()
    )
    model.train()
    start = time.perf_counter()
    done_tokens, first_step = 0, step
    timed_from, timed_tokens = None, 0
    try:
        while step < config.max_steps:
            generator = torch.Generator().manual_seed(
                config.seed * 1_000_003 + step
            )  # same on every rank
            starts = data.starts(
                "train", config.batch_size, config.block_size, generator
            )  # (global batch,)
            mine = starts[
                dist_info.rank * local_batch : (dist_info.rank + 1) * local_batch
            ]  # (local batch,)
            x, y = data.windows("train", mine, config.block_size, device)  # (b, T) each
            lr = learning_rate(config, step)
            for group in optimizer.param_groups:
                group["lr"] = lr
            with _autocast(device, amp):
                _, loss = runner(x, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if config.grad_clip:
                nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
            optimizer.step()
            step += 1
            loss_value = loss.detach()
            if dist_info.world_size > 1:
                import torch.distributed as dist

                dist.all_reduce(loss_value)
                loss_value = loss_value / dist_info.world_size
            loss_value = float(loss_value)
            history.append({"step": step, "train_loss": loss_value, "lr": lr})
            done_tokens += config.tokens_per_step()
            if (
                timed_from is None and step - first_step >= 3
            ):  # skip warm-up steps (compilation) in the rate
                timed_from, timed_tokens = time.perf_counter(), done_tokens
            elapsed = time.perf_counter() - start
            rate = (
                (done_tokens - timed_tokens) / (time.perf_counter() - timed_from)
                if timed_from is not None
                and time.perf_counter() > timed_from
                and done_tokens > timed_tokens
                else done_tokens / max(elapsed, 1e-9)
            )
            if bar is not None:
                bar.set_postfix(
                    loss=f"{loss_value:.3f}", tok_s=f"{rate:,.0f}", refresh=False
                )
                bar.update(1)
            if step % config.eval_interval == 0 or step == config.max_steps:
                losses = estimate_loss(model, data, config, device, amp)
                evals.append(
                    {
                        "step": step,
                        "train_loss": losses["train"],
                        "val_loss": losses["val"],
                        "seconds": elapsed,
                    }
                )
                if bar is not None:
                    bar.set_postfix(
                        loss=f"{loss_value:.3f}",
                        val=f"{losses['val']:.3f}",
                        tok_s=f"{rate:,.0f}",
                    )
                if config.checkpoint and dist_info.is_main:
                    save_checkpoint(
                        config.checkpoint,
                        model,
                        tokenizer,
                        config,
                        step,
                        optimizer,
                        history,
                        evals,
                    )
    finally:
        if bar is not None:
            bar.close()
    seconds = time.perf_counter() - start
    rate = (
        (done_tokens - timed_tokens) / (time.perf_counter() - timed_from)
        if timed_from is not None and done_tokens > timed_tokens
        else done_tokens / max(seconds, 1e-9)
    )
    if dist_info.is_main and done_tokens:
        log(
            f"{step - first_step} steps in {seconds:.1f} s ({rate:,.0f} tokens/s); "
            f"val loss {evals[-1]['val_loss']:.3f}"
            if evals
            else ""
        )
    return TrainResult(
        model, tokenizer, config, history, evals, seconds, rate, str(device)
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
        help="change one setting, e.g. --set max_steps=500 (repeatable)",
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
    if args.config:
        config = config_from_file(args.config, **overrides)
        if args.preset:
            parser.error(
                "give --preset or --config, not both (a config file may name its preset)"
            )
    else:
        config = preset(args.preset or "cpu", **overrides)
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
