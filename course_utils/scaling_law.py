"""Loss against model size at a fixed compute budget: the 6ND rule, IsoFLOP sweeps and
the fits that read them (lessons 07 and 10).

    from course_utils.scaling_law import (
        compute_optimal, fit_power_law, isoflop_sweep, training_flops,
    )
    records = isoflop_sweep(make_model, [16, 32, 64], budgets=[1e11, 3e11], data=data,
                            config=config, seed=0)
    valleys = compute_optimal(records)            # one parabola fit per budget
    law = fit_power_law([v.budget for v in valleys], [v.n_opt for v in valleys])
    print(law.exponent)                           # N_opt grows like C ** exponent

* `training_flops(N, D)` is 6 N D: about 2 N floating-point operations per token for the
  forward pass and 4 N for the backward pass, with N the parameters outside the embeddings
  (Kaplan et al., 2020, "Scaling Laws for Neural Language Models").
  `non_embedding_parameters(model)` counts that N.
* `isoflop_sweep` trains one model per width (and per budget) for the tokens the budget
  allows, D = C / (6 N), with the training loop of `course_utils.train` and its own
  warm-up-then-cosine schedule ending at its last step, and returns one `SweepRecord` each.
  `make_model(width)` builds the model, so a lesson passes its own recipe.
* At one budget, loss against N is a valley (an IsoFLOP profile): too small a model cannot
  fit the data, too large a one sees too few tokens. `fit_isoflop` fits a parabola in
  ln N and reads off the compute-optimal size at its bottom (Hoffmann et al., 2022,
  "Training Compute-Optimal Large Language Models", approach 2); `compute_optimal` does
  it for every budget of a sweep.
* Across budgets, the compute-optimal size and loss against C are what is fitted with a
  power law, a straight line in log-log axes: `fit_power_law(x, y)`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
from torch import nn

from course_utils.runtime import seed_everything
from course_utils.tasks.text import TextData
from course_utils.train import train
from course_utils.train_config import TrainConfig

FLOPS_PER_PARAMETER_PER_TOKEN = 6  # forward 2, backward 4 (Kaplan et al., 2020)


def training_flops(n_params: float, n_tokens: float) -> float:
    """C = 6 N D: the floating-point operations of training N parameters on D tokens
    (Kaplan et al., 2020) (lessons 07 and 10).

    Leaves out the attention scores (about 6 n_layer T d per token at context T, width d),
    the output layer, norms and the optimizer: small for large models, not for tiny ones.
    """
    if n_params < 0 or n_tokens < 0:
        raise ValueError(
            f"parameters and tokens must be non-negative, got {n_params}, {n_tokens}"
        )
    return float(FLOPS_PER_PARAMETER_PER_TOKEN) * float(n_params) * float(n_tokens)


def tokens_for_budget(budget: float, n_params: float) -> float:
    """D = C / (6 N): the tokens a budget of C FLOPs buys for N parameters (lessons 07
    and 10)."""
    if n_params <= 0:
        raise ValueError(f"n_params must be positive, got {n_params}")
    if budget < 0:
        raise ValueError(f"budget must be non-negative, got {budget}")
    return float(budget) / (FLOPS_PER_PARAMETER_PER_TOKEN * float(n_params))


def non_embedding_parameters(model: nn.Module) -> int:
    """Trainable parameters outside the model's `nn.Embedding` layers, each tensor counted
    once (lessons 07 and 10).

    This is Kaplan et al.'s N: token and position embeddings are left out, and so is an
    output layer whose weight is tied to the token embedding (the course's GPT). An untied
    output layer is an `nn.Linear` and counts.
    """
    embedding = {
        id(p)
        for m in model.modules()
        if isinstance(m, nn.Embedding)
        for p in m.parameters()
    }
    distinct = {id(p): p for p in model.parameters() if p.requires_grad}
    return sum(p.numel() for key, p in distinct.items() if key not in embedding)


@dataclass
class SweepRecord:
    """One trained model of an IsoFLOP sweep (lessons 07 and 10)."""

    budget: float  # the FLOPs asked for, C
    width: int  # what make_model received
    n_params: int  # non-embedding parameters, N
    tokens: int  # tokens trained on, D = steps x tokens per step
    steps: int  # optimizer steps
    flops: float  # 6 N D actually spent (steps are whole, so close to the budget)
    val_loss: float  # final validation loss (nats per token)
    seconds: float  # wall time of the training loop

    def to_dict(self) -> dict:
        return asdict(self)


def _steps_for(budget: float, n_params: int, tokens_per_step: int) -> int:
    return max(1, round(tokens_for_budget(budget, n_params) / tokens_per_step))


def isoflop_sweep(
    make_model: Callable[[int], nn.Module],
    widths: Sequence[int] | Mapping[float, Sequence[int]],
    budgets: float | Iterable[float] | None,
    data: TextData,
    config: TrainConfig,
    seed: int = 0,
    *,
    step=None,
    log: Callable[[str], None] | None = print,
) -> list[SweepRecord]:
    """Train one model per (budget, width) for the tokens the budget allows (lessons 07
    and 10).

    `widths` is one list for every budget, or a mapping {budget: widths} (then `budgets`
    is None) to centre each budget's sizes on its optimum, as Hoffmann et al. (2022) did.

    `make_model(width)` returns a fresh module with the GPT forward contract
    (`forward(idx, targets) -> (logits, loss)`) and a `.config` holding `vocab_size` and
    `block_size` at least as large as the data's and `config.model.block_size` (what
    `course_utils.train.train` checks). It is built right after `seed_everything(seed)`,
    so a width gets the same initial weights at every budget.

    `config` gives the batch, context (`config.model.block_size`), optimizer and schedule;
    each run keeps them and changes only `max_steps` = round(C / (6 N) / tokens per step)
    (at least 1), the warm-up (at most a tenth of the steps), `seed`, and evaluates once,
    at the end, on the same validation batches for every model. `step` is the training
    step the loop calls: a lesson's own, or None for the course's (`train_step` of
    `course_utils.reference.gpt`, an answer of lesson 07). `log`
    receives one line per run (None: silent).
    """
    if isinstance(widths, Mapping):
        if budgets is not None:
            raise ValueError("give the budgets as the keys of `widths` or in `budgets`")
        plan = [(float(b), list(ws)) for b, ws in widths.items()]
    else:
        if budgets is None:
            raise ValueError("give the compute budgets")
        if isinstance(budgets, (int, float)):
            budgets = [budgets]
        plan = [(float(b), list(widths)) for b in budgets]
    if not plan or not all(ws for _, ws in plan):
        raise ValueError("give at least one width and one budget")
    tokens_per_step = config.tokens_per_step()
    records = []
    for budget, budget_widths in plan:
        if budget <= 0:
            raise ValueError(f"a compute budget must be positive, got {budget}")
        for width in budget_widths:
            seed_everything(seed)
            model = make_model(width)
            n_params = non_embedding_parameters(model)
            steps = _steps_for(budget, n_params, tokens_per_step)
            run_config = config.replace(
                max_steps=steps,
                warmup_steps=min(config.warmup_steps, steps // 10),
                eval_interval=steps,
                seed=seed,
                checkpoint=None,
                name=f"width {width}",
            )
            start = time.perf_counter()
            result = train(
                run_config,
                model=model,
                data=data,
                step=step,
                progress=False,
                log=lambda *_: None,
            )
            record = SweepRecord(
                budget=budget,
                width=int(width),
                n_params=n_params,
                tokens=steps * tokens_per_step,
                steps=steps,
                flops=training_flops(n_params, steps * tokens_per_step),
                val_loss=result.final_val_loss,
                seconds=time.perf_counter() - start,
            )
            records.append(record)
            if log is not None:
                log(
                    f"C {budget:.0e}: width {width:3d}, N {n_params:>7,}, "
                    f"{record.tokens:>10,} tokens, {steps:5d} steps, "
                    f"loss {record.val_loss:.3f}, {record.seconds:4.1f} s"
                )
    return records


@dataclass
class PowerLaw:
    """y = prefactor * x ** exponent, fitted as a straight line in log-log axes (lessons 07
    and 10). Call it on x to evaluate it."""

    prefactor: float
    exponent: float

    def __call__(self, x):
        return self.prefactor * np.power(np.asarray(x, dtype=float), self.exponent)

    def __str__(self) -> str:
        return f"{self.prefactor:.3g} * x^{self.exponent:.3f}"


def _positive(values, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=float).reshape(-1)
    if not np.all(np.isfinite(array)) or np.any(array <= 0):
        raise ValueError(f"{name} must be positive and finite for a fit in log space")
    return array


def fit_power_law(x, y) -> PowerLaw:
    """Least-squares line through (ln x, ln y): y = a x^b (lessons 07 and 10).

    Needs at least two distinct positive x and positive y. With two points the line goes
    through both; it says nothing about how well a power law describes the data.
    """
    lx, ly = np.log(_positive(x, "x")), np.log(_positive(y, "y"))
    if lx.shape != ly.shape:
        raise ValueError(f"x and y differ in length: {lx.size} and {ly.size}")
    if np.unique(lx).size < 2:
        raise ValueError("a power law needs at least two distinct x values")
    slope, intercept = np.polyfit(lx, ly, 1)
    return PowerLaw(prefactor=float(math.exp(intercept)), exponent=float(slope))


@dataclass
class IsoFLOPFit:
    """A parabola in ln N through one budget's losses, and its bottom (lessons 07 and 10).

    loss(N) = a (ln N)^2 + b ln N + c; with a > 0 its minimum is at ln N_opt = -b / (2a).
    `inside` says whether N_opt lies within the sizes measured: outside them it is an
    extrapolation, and the sweep should be widened on that side.
    """

    budget: float
    coefficients: tuple[float, float, float]  # a, b, c
    n_opt: float
    loss_opt: float
    inside: bool

    @property
    def tokens_opt(self) -> float:
        """D_opt = C / (6 N_opt), or nan when the fit was given no budget."""
        if not self.budget or math.isnan(self.budget):
            return float("nan")
        return tokens_for_budget(self.budget, self.n_opt)

    def __call__(self, n_params):
        u = np.log(np.asarray(n_params, dtype=float))
        a, b, c = self.coefficients
        return a * u**2 + b * u + c


def fit_isoflop(n_params, losses, budget: float = float("nan")) -> IsoFLOPFit:
    """Fit loss = a (ln N)^2 + b ln N + c to one IsoFLOP profile (lessons 07 and 10).

    Needs at least three distinct N. Raises ValueError when the points curve downwards or
    not at all (a <= 0): then they show no valley, and the sizes must span both sides of
    the optimum (Hoffmann et al., 2022, approach 2).
    """
    u = np.log(_positive(n_params, "n_params"))
    loss = np.asarray(losses, dtype=float).reshape(-1)
    if u.shape != loss.shape:
        raise ValueError(f"n_params and losses differ in length: {u.size}, {loss.size}")
    if not np.all(np.isfinite(loss)):
        raise ValueError("losses must be finite")
    if np.unique(u).size < 3:
        raise ValueError("a parabola needs at least three distinct sizes")
    a, b, c = (float(v) for v in np.polyfit(u, loss, 2))
    if a <= 0:
        raise ValueError(
            "these losses show no valley (the parabola opens downwards or is flat): "
            "add sizes on both sides of the best one"
        )
    u_opt = -b / (2 * a)
    return IsoFLOPFit(
        budget=float(budget),
        coefficients=(a, b, c),
        n_opt=float(math.exp(u_opt)),
        loss_opt=float(c - b * b / (4 * a)),
        inside=bool(u.min() <= u_opt <= u.max()),
    )


def compute_optimal(records: Iterable[SweepRecord]) -> list[IsoFLOPFit]:
    """One `fit_isoflop` per budget of a sweep, in increasing budget (lessons 07 and 10)."""
    by_budget: dict[float, list[SweepRecord]] = {}
    for record in records:
        by_budget.setdefault(record.budget, []).append(record)
    return [
        fit_isoflop(
            [r.n_params for r in group], [r.val_loss for r in group], budget=budget
        )
        for budget, group in sorted(by_budget.items())
    ]
