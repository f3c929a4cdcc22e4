"""Unit tests of course_utils.train: presets, schedule, checkpoints, the script, and DDP on two CPU processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from course_tools.release import COURSE_ROOT
from course_utils import train as train_module
from course_utils.gpt_utils import GPTConfig
from course_utils.reference.gpt import GPT, train_step
from course_utils.train import (
    autocast_dtype,
    build_run,
    evaluate,
    load_checkpoint,
    main,
    make_optimizer,
    make_scaler,
    sample_text,
    takes_scaler,
    train,
)
from course_utils.train_config import (
    PRESETS,
    TrainConfig,
    config_from_file,
    learning_rate,
    preset,
    preset_for,
    preset_name_for,
)

CORPUS_TEXT = (
    'def add(a, b):\n    """Return the sum of a and b."""\n    return a + b\n\n' * 40
    + "class Point:\n    def __init__(self, x, y):\n        self.x, self.y = x, y\n\n"
    * 40
)


@pytest.fixture(autouse=True)
def one_thread():
    saved = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(saved)


@pytest.fixture
def corpus(tmp_path) -> Path:
    path = tmp_path / "corpus.txt"
    path.write_text(CORPUS_TEXT, encoding="utf-8")
    return path


def tiny(corpus: Path, **changes) -> TrainConfig:
    settings = dict(
        corpus=str(corpus),
        max_chars=None,
        max_steps=12,
        eval_interval=6,
        batch_size=8,
        device="cpu",
    )
    return preset("tiny", **{**settings, **changes})


def test_presets_exist_with_the_documented_sizes():
    assert {"cpu", "gpu", "tiny"} <= set(PRESETS)
    gpu = PRESETS["gpu"].model
    assert (gpu.n_layer, gpu.n_head, gpu.d_model, gpu.block_size) == (6, 6, 384, 256)
    assert gpu.dropout == 0.2 and PRESETS["cpu"].model.d_model == 96
    assert PRESETS["cpu"].device == PRESETS["gpu"].device == "auto"


def test_unknown_settings_are_rejected(tmp_path):
    with pytest.raises(TypeError, match="unknown training setting"):
        preset("cpu", learning_rat=1e-3)
    with pytest.raises(ValueError, match="unknown preset"):
        preset("tpu")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"preset": "cpu", "n_layers": 3}))
    with pytest.raises(TypeError, match="n_layers"):
        config_from_file(bad)
    with pytest.raises(ValueError, match="device"):
        preset("cpu", device="tpu")
    with pytest.raises(ValueError, match="compile_mode.*reduce-overhead"):
        preset("gpu", compile_mode="cuda-graphs")
    # The model's sizes live under `model`: a flat name says where it goes.
    with pytest.raises(TypeError, match=r"\['n_layer'\].*under 'model'"):
        preset("cpu", n_layer=3)
    with pytest.raises(TypeError, match="unknown model setting.*n_layers"):
        preset("cpu", model={"n_layers": 3})
    with pytest.raises(TypeError, match="unknown model setting.*heads"):
        preset("cpu", **{"model.heads": 3})
    with pytest.raises(TypeError, match="GPTConfig"):
        TrainConfig(model=[4, 4])
    with pytest.raises(ValueError, match="divisible"):
        preset("cpu", model={"n_head": 5})


def test_config_files_json_and_toml(tmp_path):
    js = tmp_path / "run.json"
    js.write_text(
        json.dumps({"preset": "gpu", "max_steps": 7, "model": {"dropout": 0.1}})
    )
    config = config_from_file(js, **{"model.n_layer": 3})
    assert config.max_steps == 7 and config.model == GPTConfig(
        n_layer=3, n_head=6, d_model=384, block_size=256, dropout=0.1
    )
    toml = tmp_path / "run.toml"
    toml.write_text(
        'corpus = "python-docs"\n[model]\nn_layer = 2\nd_model = 32\nn_head = 2\n'
    )
    config = config_from_file(toml, max_steps=3)
    assert (config.model.n_layer, config.model.d_model, config.corpus) == (
        2,
        32,
        "python-docs",
    )
    assert config.max_steps == 3 and config.model.block_size == 64  # the defaults


def test_model_settings_change_only_what_is_named():
    cpu = PRESETS["cpu"]
    two = cpu.replace(model={"n_layer": 2})
    assert two.model == GPTConfig(n_layer=2, n_head=4, d_model=96, block_size=64)
    assert cpu.model.n_layer == 4  # the preset is unchanged
    assert (
        cpu.replace(**{"model.n_layer": 2})
        == two
        == preset("cpu", model={"n_layer": 2})
    )
    whole = GPTConfig(n_layer=1, n_head=1, d_model=8, block_size=16)
    assert cpu.replace(model=whole).model is whole
    assert TrainConfig(model={"d_model": 64}).model == GPTConfig(d_model=64)
    assert TrainConfig(**cpu.to_dict()) == cpu  # what a checkpoint stores
    assert cpu.model_config(vocab_size=77) == GPTConfig(
        vocab_size=77, n_layer=4, n_head=4, d_model=96, block_size=64
    )
    assert cpu.tokens_per_step() == 32 * 64


def test_shortened_keeps_the_model_and_cuts_the_run():
    short = PRESETS["cpu"].shortened()
    assert (
        short.max_steps <= 30
        and short.model == PRESETS["cpu"].model
        and short.max_chars <= 200_000
    )


def test_learning_rate_warms_up_then_decays():
    config = TrainConfig(learning_rate=1.0, min_lr=0.1, warmup_steps=10, max_steps=110)
    assert learning_rate(config, 0) == pytest.approx(0.1)
    assert learning_rate(config, 9) == pytest.approx(1.0)
    assert learning_rate(config, 60) == pytest.approx(0.55)
    assert learning_rate(config, 110) == pytest.approx(0.1)


def test_training_lowers_the_loss_and_samples(corpus):
    result = train(
        tiny(corpus, max_steps=40, eval_interval=20),
        progress=False,
        log=lambda *_: None,
    )
    assert len(result.history) == 40 and len(result.evals) == 2
    assert result.evals[-1]["train_loss"] < result.history[0]["train_loss"]
    assert result.tokens_per_second > 0
    text = result.sample("def", 20, seed=1)
    assert len(text) == 20 and text == result.sample("def", 20, seed=1)


# The losses of `tiny(corpus)` (12 steps, one thread), recorded before train() was split
# into build_run, train_step and evaluate; the split changed none of them. Another CPU
# may round its matrix products differently: 1e-4 leaves room for that, and is far below
# what a change to the model, the data order, the optimizer or the schedule moves.
RECORDED_LOSSES = [
    3.376801,
    3.329046,
    3.273804,
    3.216284,
    3.197665,
    3.126749,
    3.085864,
    3.025511,
    2.974226,
    2.88259,
    2.89819,
    2.910974,
]
RECORDED_VAL_LOSSES = [3.076769, 2.894135]


def test_a_short_run_gives_the_recorded_losses(corpus):
    result = train(tiny(corpus), progress=False, log=lambda *_: None)
    losses = [h["train_loss"] for h in result.history]
    assert losses == pytest.approx(RECORDED_LOSSES, abs=1e-4)
    val_losses = [e["val_loss"] for e in result.evals]
    assert val_losses == pytest.approx(RECORDED_VAL_LOSSES, abs=1e-4)


def test_train_is_build_run_then_steps_and_evaluations(corpus):
    """The loop written out from its parts gives exactly train()'s run."""
    config = tiny(corpus)
    whole = train(config, progress=False, log=lambda *_: None)
    run = build_run(config)
    run.model.train()
    while run.step < config.max_steps:
        loss = train_step(
            run.runner,
            run.batch(run.step),
            run.optimizer,
            run.schedule(run.step),
            config,
            run.autocast,
        )
        run.step += 1
        run.history.append({"train_loss": float(loss)})
        if run.step % config.eval_interval == 0:
            evaluate(run, seconds=0.0)
    assert [h["train_loss"] for h in run.history] == [
        h["train_loss"] for h in whole.history
    ]
    assert [e["val_loss"] for e in run.evals] == [e["val_loss"] for e in whole.evals]
    for name, value in whole.model.state_dict().items():
        assert torch.equal(value, run.model.state_dict()[name]), name


def test_a_lesson_can_train_with_its_own_step(corpus):
    calls = []

    def counting_step(model, batch, optimizer, lr, config, autocast):
        calls.append(lr)
        return train_step(model, batch, optimizer, lr, config, autocast)

    def slower_step(model, batch, optimizer, lr, config, autocast):
        return train_step(model, batch, optimizer, lr / 10, config, autocast)

    quiet = dict(progress=False, log=lambda *_: None)
    plain = train(tiny(corpus), **quiet)
    counted = train(tiny(corpus), step=counting_step, **quiet)
    slower = train(tiny(corpus), step=slower_step, **quiet)
    assert calls == [h["lr"] for h in plain.history]
    assert counted.history == plain.history
    assert slower.history[-1]["train_loss"] > plain.history[-1]["train_loss"] + 0.05


def test_training_stops_at_a_target_validation_loss(corpus):
    """stop_at_val_loss ends the run after the first evaluation at or below it (lesson 10)."""
    quiet = dict(progress=False, log=lambda *_: None)
    config = tiny(corpus, max_steps=12, eval_interval=3)
    whole = train(config, **quiet)
    target = whole.evals[1]["val_loss"] + 1e-9  # reached at the second evaluation
    assert whole.evals[0]["val_loss"] > target
    stopped = train(config, stop_at_val_loss=target, **quiet)
    assert [e["step"] for e in stopped.evals] == [3, 6]
    assert stopped.history == whole.history[:6]
    never = train(config, stop_at_val_loss=-1.0, **quiet)
    assert never.history == whole.history


def test_resume_continues_exactly_where_it_stopped(corpus, tmp_path):
    whole = train(tiny(corpus), progress=False, log=lambda *_: None)
    path = tmp_path / "ckpt.pt"
    train(
        tiny(corpus, max_steps=6, checkpoint=str(path)),
        progress=False,
        log=lambda *_: None,
    )
    resumed = train(
        tiny(corpus, checkpoint=str(path)),
        resume=True,
        progress=False,
        log=lambda *_: None,
    )
    assert len(resumed.history) == 12
    for name, value in whole.model.state_dict().items():
        assert torch.allclose(value, resumed.model.state_dict()[name], atol=1e-6), name
    model, tokenizer, state = load_checkpoint(path)
    assert state["step"] == 12 and tokenizer.itos == whole.tokenizer.itos
    assert TrainConfig(**state["train_config"]) == tiny(corpus, checkpoint=str(path))
    for name, value in model.state_dict().items():
        assert torch.equal(value, resumed.model.state_dict()[name])


def test_script_runs_a_config_file(corpus, tmp_path, capsys):
    config = tmp_path / "run.json"
    config.write_text(
        json.dumps(
            {
                "preset": "tiny",
                "corpus": str(corpus),
                "max_chars": None,
                "device": "cpu",
            }
        )
    )
    summary = tmp_path / "summary.json"
    assert (
        main(
            [
                "--config",
                str(config),
                "--set",
                "max_steps=4",
                "--set",
                "eval_interval=2",
                "--set",
                "model.n_layer=1",
                "--no-progress",
                "--sample",
                "30",
                "--summary",
                str(summary),
            ]
        )
        == 0
    )
    assert "---- sample ----" in capsys.readouterr().out
    written = json.loads(summary.read_text())
    assert len(written["evals"]) == 2
    assert written["config"]["model"]["n_layer"] == 1
    assert written["config"]["model"]["d_model"] == PRESETS["tiny"].model.d_model
    with pytest.raises(SystemExit):
        main(["--preset", "tiny", "--config", str(config)])
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["--preset", "tiny", "--set", "n_layer=1"])
    assert "model.n_layer" in capsys.readouterr().err


def test_two_gloo_processes_match_one_process_with_the_same_global_batch(
    corpus, tmp_path
):
    """torchrun with 2 CPU processes, each half of a global batch of 8, equals one process with all 8."""
    config = tmp_path / "ddp.json"
    config.write_text(
        json.dumps(
            {
                "preset": "tiny",
                "corpus": str(corpus),
                "max_chars": None,
                "device": "cpu",
                "max_steps": 6,
                "eval_interval": 3,
                "batch_size": 8,
                "compile": "off",
            }
        )
    )
    checkpoint = tmp_path / "ddp.pt"
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "GLOO_SOCKET_IFNAME": "lo",
        "PYTHONPATH": str(COURSE_ROOT),
    }
    env.pop("WORLD_SIZE", None)
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node=2",
        "-m",
        "course_utils.train",
        "--config",
        str(config),
        "--checkpoint",
        str(checkpoint),
        "--no-progress",
        "--sample",
        "0",
    ]
    done = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "x 2 processes" in done.stdout
    parallel, _, state = load_checkpoint(checkpoint)
    single = train(config_from_file(config), progress=False, log=lambda *_: None)
    for name, value in single.model.state_dict().items():
        assert torch.allclose(parallel.state_dict()[name], value, atol=1e-5), name
    assert [h["train_loss"] for h in state["history"]] == pytest.approx(
        [h["train_loss"] for h in single.history], abs=1e-5
    )


def test_the_preset_follows_the_device():
    assert preset_name_for(torch.device("cuda")) == "gpu"
    assert preset_name_for("cuda:1") == "gpu"
    assert [preset_name_for(d) for d in ("cpu", "mps", torch.device("cpu"))] == [
        "cpu"
    ] * 3
    assert preset_for("cuda", max_steps=7) == preset("gpu", max_steps=7)
    assert preset_for(torch.device("cpu")) == PRESETS["cpu"]


@pytest.mark.parametrize(
    "capability, dtype, wanted",
    [
        ((7, 5), "auto", torch.float16),  # a T4: bf16 only emulated
        ((8, 0), "auto", torch.bfloat16),
        ((8, 0), "float32", None),
        ((7, 5), "bfloat16", torch.bfloat16),
        ((8, 6), "float16", torch.float16),
    ],
)
def test_autocast_follows_the_compute_capability(
    monkeypatch, capability, dtype, wanted
):
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda *_: capability)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *_, **__: True)
    config = preset("tiny", dtype=dtype)
    assert autocast_dtype(config, torch.device("cuda")) is wanted
    assert autocast_dtype(config, torch.device("cpu")) is None
    scaler = make_scaler(wanted, torch.device("cpu"))
    assert (scaler is not None) == (wanted is torch.float16)


def _step_pair(seed=0):
    pair = []
    for _ in range(2):
        torch.manual_seed(seed)
        model = GPT(GPTConfig(vocab_size=11, block_size=8, n_layer=1, n_head=2))
        pair.append((model, make_optimizer(model, preset("tiny"), torch.device("cpu"))))
    return pair


def test_a_scaled_step_updates_like_a_plain_one_and_skips_overflow():
    """The scaler multiplies and divides by a power of two: the same update, or none."""
    (model, optimizer), (twin, twin_optimizer) = _step_pair()
    generator = torch.Generator().manual_seed(1)
    batch = tuple(torch.randint(0, 11, (4, 8), generator=generator) for _ in range(2))
    config = preset("tiny")
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0**10)
    loss = train_step(model, batch, optimizer, 1e-2, config, scaler=scaler)
    want = train_step(twin, batch, twin_optimizer, 1e-2, config)
    assert float(loss) == float(want)
    for p, q in zip(model.parameters(), twin.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-6, atol=1e-7)
    before = [p.detach().clone() for p in model.parameters()]
    overflow = torch.amp.GradScaler("cpu", init_scale=3e38)  # loss * scale = inf
    train_step(model, batch, optimizer, 1e-2, config, scaler=overflow)
    assert all(
        torch.equal(p, b) for p, b in zip(model.parameters(), before, strict=True)
    )
    assert overflow.get_scale() < 3e38  # backed off for the next step


def test_a_float16_run_hands_its_scaler_to_steps_that_take_one(corpus, monkeypatch):
    # CPU autocast runs float16 too: pretend the loop chose it, as on a T4.
    monkeypatch.setattr(train_module, "autocast_dtype", lambda *_: torch.float16)
    scalers, lines = [], []

    def scaled_step(model, batch, optimizer, lr, config, autocast, scaler=None):
        scalers.append(scaler)
        return train_step(model, batch, optimizer, lr, config, autocast, scaler)

    def plain_step(model, batch, optimizer, lr, config, autocast):
        with autocast():
            scalers.append(torch.is_autocast_enabled("cpu"))
        return train_step(model, batch, optimizer, lr, config, autocast)

    assert takes_scaler(scaled_step) and takes_scaler(train_step)
    assert not takes_scaler(plain_step)
    config = tiny(corpus, max_steps=4, eval_interval=4)
    result = train(config, step=scaled_step, progress=False, log=lines.append)
    assert all(isinstance(s, torch.amp.GradScaler) for s in scalers)
    assert len(scalers) == 4 and len(set(map(id, scalers))) == 1
    assert all(torch.isfinite(torch.tensor(h["train_loss"])) for h in result.history)
    assert "with a gradient scaler" in lines[1]
    scalers.clear()
    train(config, step=plain_step, progress=False, log=lines.append)
    assert scalers == [False] * 4  # float32: no float16 without a scaler
    assert any("takes no `scaler`" in line for line in lines)


def test_trained_and_loaded_models_sample_in_eval_mode(corpus, tmp_path):
    path = tmp_path / "ckpt.pt"
    result = train(
        tiny(corpus, max_steps=2, eval_interval=2, checkpoint=str(path)),
        progress=False,
        log=lambda *_: None,
    )
    assert not result.model.training
    model, tokenizer, _ = load_checkpoint(path)
    assert not model.training
    modes = []

    def recording_generate(model, idx, max_new_tokens, temperature, top_k):
        modes.append(model.training)
        return torch.cat([idx, idx[:, -1:].repeat(1, max_new_tokens)], dim=1)

    model.train()
    text = sample_text(model, tokenizer, "def", 3, generate_fn=recording_generate)
    assert modes == [False] and model.training and text == "fff"
