"""The settings of a training run (lesson 07): `TrainConfig`, named presets, the schedule.

    from course_utils.train_config import preset, preset_for
    config = preset("cpu", max_steps=300, model={"n_layer": 2})
    config = preset_for(device)    # 'gpu' on a CUDA device, 'cpu' elsewhere

A `TrainConfig` holds the model's sizes as a `GPTConfig` in its `model` field. Unknown keys
are rejected with the list of known ones; settings come from a preset, a dict, a JSON or
TOML file (`config_from_file`), or `--set key=value` on the command line of
`python -m course_utils.train`. `learning_rate(config, step)` is the warm-up-then-cosine
schedule the loop of `course_utils.train` follows.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from course_utils.gpt_utils import GPTConfig

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, as a package
    import tomli as tomllib


@dataclass
class TrainConfig:
    """Everything that defines a training run (lesson 07). Unknown keys are rejected.

    `model` holds the GPT's sizes (a GPTConfig, or a dict of its fields); its `vocab_size` is
    replaced by the corpus's when the model is built (`model_config`).
    """

    corpus: str = "python-stdlib"  # a corpus name of course_utils.tasks.text, or a path to a text file
    max_chars: int | None = None  # keep only the beginning of the corpus
    # the model: layers, heads, width, context (block_size), dropout
    model: GPTConfig = field(default_factory=GPTConfig)
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
    # auto: bfloat16 autocast on a CUDA GPU of compute capability >= 8.0, float16 autocast
    # with a gradient scaler on an older one, float32 elsewhere; or float32, bfloat16, float16
    dtype: str = "auto"
    compile: str = "auto"  # auto (on CUDA only), on, off
    # torch.compile's mode: default; reduce-overhead, which replays each compiled step as
    # a CUDA graph (benchmarks/RESULTS.md); max-autotune
    compile_mode: str = "default"
    fused_attention: bool = True
    seed: int = 1337
    checkpoint: str | None = None  # path; saved at every evaluation and at the end
    name: str = "custom"

    def __post_init__(self):
        if isinstance(self.model, dict):
            self.model = model_settings(GPTConfig(), self.model)
        if not isinstance(self.model, GPTConfig):
            raise TypeError(
                f"TrainConfig.model must be a GPTConfig or a dict of its fields, "
                f"got {type(self.model).__name__}"
            )
        if self.batch_size < 1 or self.max_steps < 0:
            raise ValueError(
                "batch_size must be positive and max_steps non-negative, got "
                f"batch_size={self.batch_size}, max_steps={self.max_steps}"
            )
        for key, allowed in [
            ("device", ("auto", "cpu", "cuda", "mps")),
            ("dtype", ("auto", "float32", "bfloat16", "float16")),
            ("compile", ("auto", "on", "off")),
            ("compile_mode", ("default", "reduce-overhead", "max-autotune")),
        ]:
            if getattr(self, key) not in allowed:
                raise ValueError(
                    f"TrainConfig.{key} must be one of {allowed}, got {getattr(self, key)!r}"
                )

    def replace(self, **changes) -> TrainConfig:
        """A copy with some settings changed (lesson 07).

        `model` takes a GPTConfig or a dict of the model fields to change, e.g.
        `replace(model={"n_layer": 2})`, as does a dotted key, `**{"model.n_layer": 2}`.
        Unknown names raise a TypeError that lists the known ones.
        """
        changes = nest_model_keys(changes)
        check_keys(changes)
        if isinstance(changes.get("model"), dict):
            changes["model"] = model_settings(self.model, changes["model"])
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
        """The GPTConfig of the model to build for a vocabulary of `vocab_size` tokens (lesson 07)."""
        return dataclasses.replace(self.model, vocab_size=vocab_size)

    def tokens_per_step(self) -> int:
        return self.batch_size * self.model.block_size

    def to_dict(self) -> dict:
        """The settings as plain values, the model's as a nested dict (what checkpoints store)."""
        return asdict(self)


def nest_model_keys(values: dict) -> dict:
    """Gather dotted model keys under `model`: {'model.n_layer': 2} -> {'model': {'n_layer': 2}} (lesson 07)."""
    nested = {key: value for key, value in values.items() if "." not in key}
    for key, value in values.items():
        head, _, rest = key.partition(".")
        if not rest:
            continue
        if head != "model":
            nested[key] = value  # reported by check_keys
            continue
        model = nested.setdefault("model", {})
        if not isinstance(model, dict):
            raise TypeError(
                f"{key!r} changes a model that is given whole: give one of them"
            )
        nested["model"] = {**model, rest: value}
    return nested


def model_settings(base: GPTConfig, changes: dict) -> GPTConfig:
    """`base` with some fields changed; unknown names raise a TypeError that lists the known ones (lesson 07)."""
    known = [f.name for f in dataclasses.fields(GPTConfig)]
    unknown = sorted(set(changes) - set(known))
    if unknown:
        raise TypeError(
            f"unknown model setting(s) {unknown}; known model settings: {', '.join(known)}"
        )
    return dataclasses.replace(base, **changes)


def check_keys(values: dict) -> None:
    """Raise a TypeError naming any key that is not a TrainConfig setting (lesson 07)."""
    known = [f.name for f in dataclasses.fields(TrainConfig)]
    unknown = sorted(set(values) - set(known))
    if unknown:
        model_fields = {f.name for f in dataclasses.fields(GPTConfig)}
        hint = (
            "; the model's sizes go under 'model' (model.n_layer=4 on the command line, "
            "a [model] table in TOML, a 'model' object in JSON)"
            if model_fields & set(unknown)
            else ""
        )
        raise TypeError(
            f"unknown training setting(s) {unknown}; known settings: "
            f"{', '.join(known)}{hint}"
        )


PRESETS: dict[str, TrainConfig] = {
    # About 0.47 M parameters; about 3 minutes on 2 CPU cores (measured in lesson 07).
    "cpu": TrainConfig(
        name="cpu",
        model=GPTConfig(n_layer=4, n_head=4, d_model=96, block_size=64),
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
        model=GPTConfig(n_layer=6, n_head=6, d_model=384, block_size=256, dropout=0.2),
        batch_size=64,
        max_steps=2000,
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
        model=GPTConfig(n_layer=2, n_head=2, d_model=32, block_size=32),
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
    """A named preset ('cpu', 'gpu', 'tiny') with optional changes, e.g. preset('cpu', max_steps=300) (lesson 07).

    Model sizes change through `model`: preset('cpu', model={'n_layer': 2}).
    """
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; presets: {', '.join(PRESETS)}")
    return PRESETS[name].replace(**overrides)


def preset_name_for(device) -> str:
    """The preset that suits `device`: 'gpu' on a CUDA GPU, 'cpu' anywhere else (lesson 07).

    `device` is a torch.device or its name ('cuda', 'cuda:1', 'mps', 'cpu').
    """
    return "gpu" if str(device).split(":")[0] == "cuda" else "cpu"


def preset_for(device, **overrides) -> TrainConfig:
    """`preset(preset_name_for(device), **overrides)`: the 'gpu' preset on CUDA, else 'cpu' (lesson 07)."""
    return preset(preset_name_for(device), **overrides)


def config_from_dict(values: dict) -> TrainConfig:
    """A TrainConfig from settings; an optional 'preset' key names the base (lesson 07).

    The model's settings are a nested dict under 'model' or dotted keys ('model.n_layer').
    """
    values = nest_model_keys(values)
    base = values.pop("preset", None)
    check_keys(values)
    return preset(base, **values) if base else TrainConfig(**values)


def config_from_file(path: str | Path, **overrides) -> TrainConfig:
    """A TrainConfig from a JSON or TOML file, then `overrides` (see config_from_dict) (lesson 07)."""
    path = Path(path)
    text = path.read_text()
    if path.suffix == ".toml":
        values = tomllib.loads(text)
    else:
        values = json.loads(text)
    values, overrides = nest_model_keys(values), nest_model_keys(overrides)
    if isinstance(values.get("model"), dict) and isinstance(
        overrides.get("model"), dict
    ):
        overrides["model"] = {**values["model"], **overrides["model"]}
    return config_from_dict({**values, **overrides})


def learning_rate(config: TrainConfig, step: int) -> float:
    """Linear warm-up over warmup_steps, then cosine decay to min_lr at max_steps (lesson 07)."""
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    span = max(1, config.max_steps - config.warmup_steps)
    progress = min(1.0, (step - config.warmup_steps) / span)
    return config.min_lr + 0.5 * (1 + math.cos(math.pi * progress)) * (
        config.learning_rate - config.min_lr
    )
