"""Ablations measured as steps to a target validation loss, over seeds (lesson 10).

The way the small-GPT speedrun community compares changes: train each configuration until
its validation loss first reaches a fixed target, and count the steps (and tokens) it took;
repeat over several seeds, and compare each change with the baseline by the mean, the
spread and Welch's t-test (scipy.stats.ttest_ind with equal_var=False)::

    from course_utils.ablation import CHANGES, cpu_setup, run_ablation, summarize, format_table
    setup = cpu_setup()
    results = run_ablation(CHANGES, seeds=(0, 1, 2), setup=setup, cache_dir="ablation_cache")
    print(format_table(summarize(results)))

Each run trains lesson 10's `ModernGPT` (`course_utils.modern_gpt`) on lesson 07's corpus
with lesson 07's loop (`course_utils.train.train`, stopping at the target with
`stop_at_val_loss`). `parts` (a `ModernParts`) gives the model and Muon the functions the
lesson's exercises write, so the ablation measures the student's own; without it they are
the course's references. A run that
never reaches the target within the step cap is *censored*: it is reported as not reached,
never as taking the cap. Each (configuration, seed) result is saved as a small JSON file in
`cache_dir`, named by a hash of everything that defines the run (the parts by what they
compute), so a second run of the notebook reads it back instead of training again.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from course_utils.modern_gpt import (
    ModernConfig,
    ModernGPT,
    ModernParts,
    make_muon_step,
)
from course_utils.runtime import seed_everything
from course_utils.tasks.text import TextData, load_corpus
from course_utils.timing import synchronize
from course_utils.train import train
from course_utils.train_config import TrainConfig

# Each change alone on top of the baseline (lesson 07's GPT and AdamW), then all together.
ALL_CHANGES = {
    "norm": "rms",
    "feed_forward": "swiglu",
    "rope": True,
    "qk_norm": True,
    "bias": False,
    "optimizer": "muon",
}
CHANGES: dict[str, dict] = {
    "baseline": {},
    "+RMSNorm": {"norm": "rms"},
    "+SwiGLU": {"feed_forward": "swiglu"},
    "+rotary": {"rope": True},
    "+QK-norm": {"qk_norm": True},
    "+Muon": {"optimizer": "muon"},
    "all": ALL_CHANGES,
}
MODEL_KEYS = ("norm", "feed_forward", "rope", "qk_norm", "bias")


@dataclass
class AblationSetup:
    """What every run of an ablation shares (lesson 10): the training settings (a
    TrainConfig whose model is a ModernConfig with every switch off), the target
    validation loss, and Muon's learning rate."""

    config: TrainConfig
    target: float
    muon_lr: float = 0.02
    name: str = "custom"
    data: TextData | None = field(default=None, repr=False, compare=False)

    def key(self, changes: dict, seed: int, parts: ModernParts | None = None) -> str:
        """A short hash of everything that defines one run; `parts` by their fingerprint."""
        settings = {
            "config": self.config.to_dict(),
            "target": self.target,
            "muon_lr": self.muon_lr,
            "changes": dict(sorted(changes.items())),
            "seed": seed,
            "torch": torch.__version__.split("+")[0],
        }
        if parts is not None:
            settings["parts"] = parts.fingerprint()
        text = json.dumps(settings, sort_keys=True, default=str)
        return hashlib.sha1(text.encode()).hexdigest()[:16]

    def corpus(self) -> TextData:
        """Lesson 07's corpus (python-stdlib), loaded once."""
        if self.data is None:
            text = load_corpus(self.config.corpus, self.config.max_chars)
            self.data = TextData.from_text(text)
        return self.data


def cpu_setup(quick: bool = False) -> AblationSetup:
    """The CPU track (lesson 10): 2 layers, width 48, 32 characters of context, batches of
    32; target 2.6 nats, cap 250 steps. `quick` keeps the code path and cuts it to a few
    steps on a small slice of the corpus (for grading)."""
    config = TrainConfig(
        name="ablation-cpu",
        corpus="python-stdlib",
        max_chars=400_000,
        model=ModernConfig(n_layer=2, n_head=2, d_model=48, block_size=32),
        batch_size=32,
        max_steps=250,
        learning_rate=3e-3,
        min_lr=3e-4,
        warmup_steps=20,
        weight_decay=0.1,
        eval_interval=10,
        eval_batches=4,
        device="cpu",
        dtype="float32",
        compile="off",
    )
    if quick:
        config = config.replace(max_steps=6, eval_interval=3, max_chars=50_000)
        return AblationSetup(config, target=4.3, name="cpu (quick)")
    return AblationSetup(config, target=2.6, name="cpu")


def gpu_setup(device: str = "cuda") -> AblationSetup:
    """The GPU track (lesson 10): 4 layers, width 256, 128 characters of context, batches
    of 64, bfloat16 autocast where the GPU has it; target 1.80 nats, cap 2000 steps."""
    config = TrainConfig(
        name="ablation-gpu",
        corpus="python-stdlib",
        model=ModernConfig(n_layer=4, n_head=4, d_model=256, block_size=128),
        batch_size=64,
        max_steps=2000,
        learning_rate=2e-3,
        min_lr=2e-4,
        warmup_steps=50,
        eval_interval=25,
        eval_batches=10,
        device=device,
        compile="off",
    )
    return AblationSetup(config, target=1.8, name="gpu")


def build_model(
    setup: AblationSetup,
    changes: dict,
    vocab_size: int,
    parts: ModernParts | None = None,
) -> ModernGPT:
    """The ModernGPT of `changes` (model switches only) for this setup, computing with
    `parts` (lesson 10)."""
    unknown = set(changes) - set(MODEL_KEYS) - {"optimizer"}
    if unknown:
        raise ValueError(
            f"unknown change(s) {sorted(unknown)}; known: {MODEL_KEYS + ('optimizer',)}"
        )
    settings = {**asdict(setup.config.model), "vocab_size": vocab_size}
    settings.update({k: v for k, v in changes.items() if k in MODEL_KEYS})
    return ModernGPT(ModernConfig(**settings), parts)


def run_to_target(
    setup: AblationSetup,
    changes: dict,
    seed: int,
    log=lambda *_: None,
    parts: ModernParts | None = None,
) -> dict:
    """Train one configuration with one seed until its validation loss reaches the target
    (lesson 10), with `parts` in the model and in Muon (None: the references).

    Returns a dict: `reached` (bool), `steps` and `tokens` to the target (None when the
    run was censored), `seconds` (wall time of the whole run, synchronised on a GPU,
    evaluations included), `evals` (step and validation loss of each evaluation) and
    `final_val_loss`. The seed sets the initial weights; the training batches and the
    validation batches follow setup.config.seed and are the same for every run, so runs
    differ only by their initialisation and by the change.
    """
    data = setup.corpus()
    config = setup.config
    seed_everything(seed)
    model = build_model(setup, changes, data.tokenizer.vocab_size, parts)
    step = None
    if changes.get("optimizer", "adamw") == "muon":
        step = make_muon_step(
            model,
            muon_lr=setup.muon_lr,
            adam_lr=config.learning_rate,
            newton_schulz=parts.newton_schulz if parts else None,
        )
    elif changes.get("optimizer", "adamw") != "adamw":
        raise ValueError(f"optimizer must be 'adamw' or 'muon', got {changes}")
    extra = {} if step is None else {"step": step}
    device = config.device if config.device != "auto" else None
    synchronize(device)
    start = time.perf_counter()
    result = train(
        config,
        model,
        data,
        progress=False,
        log=log,
        stop_at_val_loss=setup.target,
        **extra,
    )
    synchronize(result.device)
    seconds = time.perf_counter() - start
    evals = [(e["step"], e["val_loss"]) for e in result.evals]
    reached = bool(evals) and evals[-1][1] <= setup.target
    steps = evals[-1][0] if reached else None
    return {
        "changes": changes,
        "seed": seed,
        "reached": reached,
        "steps": steps,
        "tokens": steps * config.tokens_per_step() if reached else None,
        "seconds": seconds,
        "device": result.device,
        "evals": evals,
        "final_val_loss": evals[-1][1] if evals else float("nan"),
        "step_cap": config.max_steps,
    }


def cached_run(
    setup: AblationSetup,
    changes: dict,
    seed: int,
    cache_dir: str | Path | None,
    log=lambda *_: None,
    parts: ModernParts | None = None,
) -> dict:
    """run_to_target, read from `cache_dir` when this exact run (`parts` included) was
    saved there, and saved there otherwise (lesson 10). `cache_dir=None` never caches."""
    if cache_dir is None:
        return run_to_target(setup, changes, seed, log, parts)
    name = f"{setup.name.split()[0]}-{setup.key(changes, seed, parts)}.json"
    path = Path(cache_dir) / name
    if path.is_file():
        record = json.loads(path.read_text())
        record["cached"] = True
        return record
    record = run_to_target(setup, changes, seed, log, parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(".tmp")
    scratch.write_text(json.dumps(record))
    scratch.replace(path)
    record["cached"] = False
    return record


def run_ablation(
    changes: dict[str, dict],
    seeds=(0, 1, 2),
    setup: AblationSetup | None = None,
    cache_dir: str | Path | None = None,
    log=print,
    parts: ModernParts | None = None,
) -> dict[str, list[dict]]:
    """Every named configuration of `changes` with every seed: {name: [record per seed]}
    (lesson 10), the models and Muon computing with `parts` (None: the references).
    Prints one line per configuration with `log`."""
    setup = setup or cpu_setup()
    results = {}
    for name, change in changes.items():
        start = time.perf_counter()
        records = [
            cached_run(setup, change, seed, cache_dir, parts=parts) for seed in seeds
        ]
        results[name] = records
        cached = sum(r.get("cached", False) for r in records)
        steps = [r["steps"] if r["reached"] else "not reached" for r in records]
        log(
            f"{name:>9}: steps to {setup.target} = {steps}"
            f" ({time.perf_counter() - start:.1f} s"
            f"{f', {cached} from the cache' if cached else ''})"
        )
    return results


def welch_p(a, b) -> float:
    """Two-sided p-value of Welch's t-test (unequal variances) of samples a and b, or nan
    when either has fewer than two values or both have no spread (lesson 10)."""
    from scipy import stats

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(a) < 2 or len(b) < 2:
        return float("nan")
    if a.std() == 0 and b.std() == 0:
        return 0.0 if a.mean() != b.mean() else 1.0
    with warnings.catch_warnings():
        # scipy warns of lost precision when one sample's values are all equal; the
        # test is still defined by the other sample's variance.
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(stats.ttest_ind(a, b, equal_var=False).pvalue)


def summarize(
    results: dict[str, list[dict]], baseline: str = "baseline", key: str = "steps"
) -> list[dict]:
    """One row per configuration (lesson 10): runs, runs that reached the target, the mean,
    sample standard deviation, minimum and maximum of `key` ('steps', 'tokens' or
    'seconds') over the runs that reached it, the ratio of the baseline's mean to this
    mean (above 1: faster), and Welch's p-value against the baseline.

    The mean and the test use only runs that reached the target; when any run of a
    configuration or of the baseline was censored, p is nan (a t-test cannot use a run
    whose value is only known to be above the cap) and the row says so.
    """
    rows = []
    base = results.get(baseline, [])
    base_values = [r[key] for r in base if r["reached"]]
    base_complete = bool(base) and len(base_values) == len(base)
    for name, records in results.items():
        values = [r[key] for r in records if r["reached"]]
        complete = len(values) == len(records)
        mean = float(np.mean(values)) if values else float("nan")
        spread = float(np.std(values, ddof=1)) if len(values) > 1 else float("nan")
        p = float("nan")
        if name != baseline and complete and base_complete:
            p = welch_p(values, base_values)
        rows.append(
            {
                "name": name,
                "runs": len(records),
                "reached": len(values),
                "mean": mean,
                "std": spread,
                "min": min(values) if values else float("nan"),
                "max": max(values) if values else float("nan"),
                "speedup": float(np.mean(base_values)) / mean
                if base_values and values
                else float("nan"),
                "p": p,
                "censored": not complete,
            }
        )
    return rows


def format_table(rows: list[dict], unit: str = "steps") -> str:
    """The summary as a fixed-width text table under 90 columns (lesson 10)."""

    def show(value, digits=0):
        return "-" if value is None or math.isnan(value) else f"{value:.{digits}f}"

    lines = [
        f"{'configuration':<14}{'reached':>8}{'mean ' + unit:>13}{'std':>8}"
        f"{'min':>8}{'max':>8}{'speed-up':>10}{'Welch p':>10}"
    ]
    for row in rows:
        p = row["p"]
        shown_p = "-" if math.isnan(p) else (f"{p:.3f}" if p >= 0.001 else "<0.001")
        if row["censored"] and row["name"] != "baseline":
            shown_p = "censored"
        lines.append(
            f"{row['name']:<14}{row['reached']:>4}/{row['runs']:<3}"
            f"{show(row['mean']):>13}{show(row['std'], 1):>8}{show(row['min']):>8}"
            f"{show(row['max']):>8}{show(row['speedup'], 2):>10}{shown_p:>10}"
        )
    return "\n".join(lines)
