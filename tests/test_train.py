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
from course_utils.reference.gpt import GPTConfig
from course_utils.train import (
    build_run,
    evaluate,
    load_checkpoint,
    main,
    train,
    train_step,
)
from course_utils.train_config import (
    PRESETS,
    TrainConfig,
    config_from_file,
    learning_rate,
    preset,
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
