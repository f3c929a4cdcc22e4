"""Training throughput: the course's plain model against the fast path (issue 9, parts 1 and 2).

Every run is course_utils.train's own loop, taken apart: `build_run` sets it up (data, model,
`make_optimizer`'s AdamW, autocast, compilation), `train_step` takes each step, and
`estimate_loss` evaluates, so the numbers are those of the code lesson 07 runs. Recipes (all
on the same corpus, seed and batches), as TrainConfig settings:
  plain  the course's GPT with the explicit, student-style attention (softmax(QK^T/sqrt(d)) V,
         lessons 02-05; fused_attention=False), float32 (dtype="float32", TF32 off on
         CUDA), no compilation, PyTorch's default (unfused) AdamW.
  fast   train.py's defaults: fused attention (F.scaled_dot_product_attention), and on CUDA
         the fused AdamW, bf16 autocast, TF32 and torch.compile (the default mode;
         --compile-mode reduce-overhead adds CUDA graphs). On the CPU, torch.compile only
         with --compile.
  graphs (CUDA only) the fast path compiled with mode="reduce-overhead", which replays each
         compiled step as a CUDA graph instead of launching its kernels one by one.
  tuned  (CUDA only) the fast path with a recipe meant to reach a given loss sooner: a higher
         peak learning rate (2e-3), a shorter cosine schedule (half the steps) and lighter dropout.

Each run trains for a wall-clock budget or a number of steps, evaluates the validation loss
at fixed intervals, and reports tokens per second (after the first steps, which include
compilation), the time to reach a target validation loss (with and without those first
steps), the final validation loss, peak memory (CUDA) and model FLOPs utilisation
against the device's bf16 peak: 6 N + 12 L T D FLOPs per token (Kaplan et al., 2020;
Chowdhery et al., 2022, appendix B).
"""

from __future__ import annotations

import time

import torch

from benchmarks.machine import bf16_peak_tflops
from course_utils.gpt_utils import count_parameters
from course_utils.reference.gpt import GPT, train_step
from course_utils.tasks.text import TextData, load_corpus
from course_utils.train import build_run, estimate_loss, make_optimizer
from course_utils.train_config import TrainConfig, preset


def flops_per_token(model: GPT) -> float:
    """Training FLOPs per token: 6 N for the weights plus 12 L T D for attention (Chowdhery et al., 2022)."""
    c = model.config
    return 6 * count_parameters(model) + 12 * c.n_layer * c.block_size * c.d_model


def recipe_config(base: TrainConfig, recipe: str) -> TrainConfig:
    if recipe == "tuned":
        return base.replace(
            learning_rate=2e-3,
            min_lr=2e-4,
            max_steps=base.max_steps // 2,
            model={"dropout": min(base.model.dropout, 0.1)},
            name=f"{base.name}-tuned",
        )
    return base


def recipe_settings(
    config: TrainConfig, recipe: str, device: torch.device, compile_model: bool
) -> TrainConfig:
    """A recipe as TrainConfig settings: plain without fused attention, autocast or compilation."""
    plain = recipe == "plain"
    return recipe_config(config, recipe).replace(
        fused_attention=not plain,
        dtype="float32" if plain else "auto",
        compile="on" if compile_model else "off",
        device=device.type,
        checkpoint=None,
    )


def train_run(
    config: TrainConfig,
    recipe: str,
    device: torch.device,
    data: TextData,
    *,
    seconds: float | None = None,
    steps: int | None = None,
    target_loss: float | None = None,
    compile_model: bool | None = None,
    compile_mode: str | None = None,
    log=print,
) -> dict:
    """Train one recipe ('plain', 'fast', 'tuned') for `seconds` of wall time or `steps` steps; return its numbers.

    The run is course_utils.train's: `build_run` sets it up, `train_step` takes each step,
    `estimate_loss` evaluates. Only the timing, the clock and the recipe's switches are here.
    """
    plain = recipe == "plain"
    cuda = device.type == "cuda"
    if recipe == "graphs":
        compile_mode = "reduce-overhead"
    if compile_model is None:
        compile_model = cuda and not plain
    config = recipe_settings(config, recipe, device, compile_model)
    if compile_mode is not None:
        config = config.replace(compile_mode=compile_mode)
    run = build_run(config, data=data)
    if plain:
        # float32 arithmetic throughout (TF32 off) and the unfused AdamW
        torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
        run.optimizer = make_optimizer(run.model, config, run.device, fused=False)
    if cuda:
        torch.cuda.reset_peak_memory_stats(run.device)
    limit_steps = steps if steps is not None else config.max_steps

    evals, tokens = [], 0
    timed_start = timed_tokens = None
    reached_target_s = reached_target_steady_s = None
    warm_elapsed = None  # training seconds of the first steps (compilation included)
    paused = 0.0  # evaluation seconds after the timed start, left out of the rate
    start = time.perf_counter()
    run.model.train()
    while run.step < limit_steps:
        batch = run.batch(run.step)  # (B, T) each
        lr = run.schedule(run.step)
        train_step(
            run.runner,
            batch,
            run.optimizer,
            lr,
            config,
            run.autocast,
            scaler=run.scaler,
        )
        run.step += 1
        tokens += config.tokens_per_step()
        if run.step == 3:  # the first steps include compilation and allocator warm-up
            if cuda:
                torch.cuda.synchronize(run.device)
            timed_start, timed_tokens = time.perf_counter(), tokens
        evaluate = run.step % config.eval_interval == 0 or run.step == limit_steps
        if evaluate and cuda:
            torch.cuda.synchronize(run.device)  # the clock waits for the queued steps
        elapsed = time.perf_counter() - start
        if run.step == 3:
            warm_elapsed = elapsed
        out_of_time = seconds is not None and elapsed >= seconds
        if evaluate or out_of_time:
            losses = estimate_loss(run.model, data, config, run.device, run.amp)
            evals.append(
                {
                    "step": run.step,
                    "seconds": round(elapsed, 2),
                    "val_loss": round(losses["val"], 4),
                    "train_loss": round(losses["train"], 4),
                }
            )
            log(
                f"  {recipe:>5} step {run.step:5d}  {elapsed:7.1f} s  val {losses['val']:.4f}"
            )
            if (
                target_loss is not None
                and reached_target_s is None
                and round(losses["val"], 4) <= target_loss
            ):
                reached_target_s = elapsed
                reached_target_steady_s = elapsed - (warm_elapsed or 0.0)
            spent = time.perf_counter() - start - elapsed
            start += spent  # evaluation time is not training time
            paused += spent if timed_start is not None else 0.0
        if out_of_time:
            break
    if cuda:
        torch.cuda.synchronize(run.device)
    end = time.perf_counter()
    rate = (
        ((tokens - timed_tokens) / (end - timed_start - paused))
        if timed_start and tokens > timed_tokens
        else float("nan")
    )
    peak = bf16_peak_tflops(run.device)
    achieved = rate * flops_per_token(run.model) / 1e12
    return {
        "recipe": recipe,
        "device": str(run.device),
        "config": {
            **{
                k: getattr(config.model, k)
                for k in ("n_layer", "n_head", "d_model", "block_size", "dropout")
            },
            **{
                k: getattr(config, k)
                for k in (
                    "batch_size",
                    "learning_rate",
                    "min_lr",
                    "warmup_steps",
                    "max_steps",
                )
            },
        },
        "parameters": count_parameters(run.model),
        "autocast": str(run.amp) if run.amp else "float32",
        "fused_attention": not plain,
        "compiled": bool(compile_model),
        "steps": run.step,
        "train_seconds": round(evals[-1]["seconds"], 2) if evals else None,
        "tokens_per_second": round(rate, 1),
        "model_tflops": round(achieved, 4),
        "mfu_vs_bf16_peak": round(achieved / peak, 4) if peak else None,
        "peak_memory_mib": round(torch.cuda.max_memory_allocated(run.device) / 2**20, 1)
        if cuda
        else None,
        "final_val_loss": evals[-1]["val_loss"] if evals else None,
        "seconds_to_target_loss": round(reached_target_s, 2)
        if reached_target_s is not None
        else None,
        "steady_seconds_to_target_loss": round(reached_target_steady_s, 2)
        if reached_target_steady_s is not None
        else None,
        "warm_up_seconds": round(warm_elapsed, 2) if warm_elapsed is not None else None,
        "evals": evals,
    }


def load_data(config: TrainConfig) -> TextData:
    return TextData.from_text(load_corpus(config.corpus, config.max_chars))


def run_cpu(
    seconds: float = 180.0,
    threads: int = 2,
    compile_model: bool = False,
    tiny: bool = False,
    log=print,
) -> dict:
    """Issue 9 part 2: the `cpu` preset on `threads` cores, plain against fast, each for `seconds` of training.

    `tiny` runs six steps of the `tiny` preset instead (the smoke test).
    """
    config = preset("tiny") if tiny else preset("cpu")
    device = torch.device("cpu")
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        data = load_data(config)
        runs = [
            train_run(
                config,
                recipe,
                device,
                data,
                seconds=None if tiny else seconds,
                steps=6 if tiny else None,
                compile_model=compile_model and recipe == "fast",
                log=log,
            )
            for recipe in ("plain", "fast")
        ]
    finally:
        torch.set_num_threads(previous)
    plain, fast = runs
    return {
        "preset": config.name,
        "threads": threads,
        "budget_seconds": seconds,
        "runs": runs,
        "speedup_tokens_per_second": round(
            fast["tokens_per_second"] / plain["tokens_per_second"], 3
        ),
    }


def run_gpu(
    device: torch.device,
    tiny: bool = False,
    compile_mode: str | None = None,
    max_steps: int | None = None,
    log=print,
) -> dict:
    """Issue 9 part 1: the `gpu` preset plain, fast, graphs and tuned on one CUDA device.

    `compile_mode` goes to torch.compile for fast and tuned: None (the default mode) or
    "reduce-overhead" (CUDA graphs). `max_steps` shortens the preset's schedule to that
    many steps; the tuned recipe takes half of them.
    """
    config = preset("tiny") if tiny else preset("gpu")
    if max_steps and not tiny:
        config = config.replace(max_steps=max_steps, name=f"gpu, {max_steps} steps")
    data = load_data(config)
    steps = 6 if tiny else None
    plain = train_run(config, "plain", device, data, steps=steps, log=log)
    plain["seconds_to_target_loss"] = plain["train_seconds"]
    plain["steady_seconds_to_target_loss"] = round(
        plain["train_seconds"] - (plain["warm_up_seconds"] or 0.0), 2
    )
    target = plain["final_val_loss"]
    runs = {"plain": plain}
    for recipe in ("fast", "graphs", "tuned"):
        runs[recipe] = train_run(
            config,
            recipe,
            device,
            data,
            steps=steps,
            target_loss=target,
            compile_mode=compile_mode,
            log=log,
        )
    return summarise_gpu_runs(config.name, target, list(runs.values()))


def summarise_gpu_runs(preset_name: str, target: float, runs: list[dict]) -> dict:
    """The GPU training part of a results file: the runs, and each one's speed and time to
    the target against the fast recipe's."""
    fast = next(r for r in runs if r["recipe"] == "fast")
    for run in runs:
        run["tokens_per_second_vs_plain"] = round(
            run["tokens_per_second"] / runs[0]["tokens_per_second"], 3
        )
        steady = run.get("steady_seconds_to_target_loss")
        fast_steady = fast.get("steady_seconds_to_target_loss")
        run["steady_time_to_target_vs_fast"] = (
            round(steady / fast_steady, 3) if steady and fast_steady else None
        )
    return {
        "preset": preset_name,
        "target_val_loss": target,
        "runs": runs,
        "speedup_fast_vs_plain": round(
            fast["tokens_per_second"] / runs[0]["tokens_per_second"], 3
        ),
    }
