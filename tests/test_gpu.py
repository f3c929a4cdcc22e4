"""The GPU path of lesson 07 on a real CUDA device: `pytest -m gpu tests/test_gpu.py`.

Without CUDA every test here skips, saying why. The tests train briefly (the gpu preset for
a few hundred steps, compilation included): a few minutes on one GPU.
"""

from __future__ import annotations

import math

import pytest
import torch

from course_utils.gpt_utils import GPTConfig
from course_utils.reference import scaled_dot_product_attention
from course_utils.reference.blocks import CausalSelfAttention
from course_utils.reference.gpt import GPT
from course_utils.runtime import mixed_precision_dtype
from course_utils.train import autocast_dtype, load_checkpoint, train
from course_utils.train_config import preset, preset_for

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]
QUIET = dict(progress=False, log=lambda *_: None)


def capability() -> tuple[int, int]:
    return torch.cuda.get_device_capability()


def test_the_gpu_preset_trains_and_its_loss_falls():
    config = preset_for(
        "cuda",
        max_steps=300,
        warmup_steps=30,
        eval_interval=150,
        eval_batches=10,
        max_chars=400_000,
    )
    assert config.name == "gpu"
    assert autocast_dtype(config, torch.device("cuda")) is mixed_precision_dtype("cuda")
    result = train(config, **QUIET)
    losses = [h["train_loss"] for h in result.history]
    assert result.device.startswith("cuda") and len(losses) == 300
    assert all(math.isfinite(loss) for loss in losses)
    # The first loss is about ln(vocab), a uniform guess: a model that learns anything
    # from 300 steps of 64 x 256 characters gains more than one nat on it.
    assert result.evals[-1]["val_loss"] < losses[0] - 1.0
    assert result.evals[-1]["val_loss"] < result.evals[0]["val_loss"]
    assert not result.model.training


# Each result within TOLERANCE * max|want| of float64 attention on the same (rounded)
# inputs: 8 units of roundoff, 8 * 2^-8 for bfloat16 and 8 * 2^-11 for float16 (both
# paths measured on a CPU at about 1 unit relative to the largest output).
TOLERANCE = {torch.bfloat16: 8 * 2.0**-8, torch.float16: 8 * 2.0**-11}


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_fused_and_explicit_attention_agree_in_half_precision(dtype):
    if dtype is torch.bfloat16 and capability() < (8, 0):
        pytest.skip("bfloat16 is emulated below compute capability 8.0")
    generator = torch.Generator(device="cuda").manual_seed(0)
    q, k, v = torch.randn(3, 2, 4, 256, 64, device="cuda", generator=generator).to(
        dtype
    )  # 3 x (B, H, T, D/H)
    layer = CausalSelfAttention(GPTConfig(n_head=4, d_model=256, block_size=256))
    layer.eval()
    want, _ = scaled_dot_product_attention(
        q.double(), k.double(), v.double(), torch.ones(256, 256).tril().bool().cuda()
    )  # (B, H, T, D/H)
    results = {}
    for fused in (True, False):
        layer.fused = fused
        with torch.no_grad():
            results[fused] = layer.attend(q, k, v, is_causal=True)
        assert results[fused].dtype is dtype
    scale = float(want.abs().max())
    for fused, got in results.items():
        error = float((got.double() - want).abs().max())
        assert error <= TOLERANCE[dtype] * scale, (fused, error / scale)
    gap = float((results[True].double() - results[False].double()).abs().max())
    assert gap <= 2 * TOLERANCE[dtype] * scale


def test_the_model_runs_on_the_flash_kernel():
    """is_causal=True and no mask tensor: the flash kernel accepts the call."""
    if capability() < (8, 0):
        pytest.skip("PyTorch's flash kernel needs compute capability 8.0 or more")
    from torch.nn.attention import SDPBackend, sdpa_kernel

    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=65, block_size=128, n_head=4, d_model=128))
    model = model.cuda().eval()
    idx = torch.randint(0, 65, (2, 128), device="cuda")
    with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
        with sdpa_kernel([SDPBackend.FLASH_ATTENTION]):
            flash, _ = model(idx)  # (B, T, V)
        with sdpa_kernel([SDPBackend.MATH]):
            math_kernel, _ = model(idx)  # (B, T, V)
    assert torch.isfinite(flash).all()
    # bfloat16 logits through 4 layers: 8 units of roundoff of the largest logit (on a
    # CPU, fused and explicit attention under bfloat16 autocast differ by about 2).
    scale = float(math_kernel.float().abs().max())
    assert float((flash - math_kernel).float().abs().max()) <= 8 * 2.0**-8 * scale


def test_a_checkpoint_saved_on_the_gpu_loads_on_the_cpu(tmp_path):
    path = tmp_path / "gpu.pt"
    config = preset(
        "tiny", device="cuda", compile="off", max_steps=10, checkpoint=str(path)
    )
    result = train(config, **QUIET)
    model, tokenizer, state = load_checkpoint(path, device="cpu")
    assert state["step"] == 10 and tokenizer.itos == result.tokenizer.itos
    assert {p.device.type for p in model.parameters()} == {"cpu"}
    for name, value in result.model.state_dict().items():
        assert torch.equal(value.cpu(), model.state_dict()[name]), name
    idx = torch.randint(0, tokenizer.vocab_size, (2, 32))
    with torch.no_grad():
        on_cpu, _ = model(idx)  # (B, T, V)
        on_gpu, _ = result.model(idx.cuda())  # (B, T, V)
    # The GPU may multiply in TF32 (10-bit mantissa, which the loop allows): 2^-10 of
    # each product, a few of them per logit.
    scale = float(on_cpu.abs().max())
    assert float((on_gpu.cpu() - on_cpu).abs().max()) <= 8 * 2.0**-10 * scale


def test_compiled_and_eager_training_give_the_same_losses():
    pytest.importorskip("triton", reason="torch.compile on CUDA needs triton")
    runs = {}
    for mode in ("on", "off"):
        config = preset("tiny", device="cuda", dtype="float32", compile=mode)
        runs[mode] = train(config, **QUIET)
    compiled, eager = (
        [h["train_loss"] for h in runs[m].history] for m in ("on", "off")
    )
    # Before any update only the order of the floating-point operations differs.
    assert compiled[0] == pytest.approx(eager[0], rel=1e-3)
    # Twenty AdamW steps carry those differences on; a wrong graph moves the loss far
    # more than 0.02 nats.
    assert compiled == pytest.approx(eager, abs=2e-2)
    assert runs["on"].final_val_loss == pytest.approx(
        runs["off"].final_val_loss, abs=2e-2
    )


def test_fused_attention_needs_a_sliver_of_the_explicit_memory_at_16k_tokens():
    """At T = 16,384 the explicit attention keeps (T, T) scores and weights (512 MiB each
    in bfloat16 or float16, one head); a fused kernel keeps tiles. Its peak must be under a
    twentieth of the explicit one's (the inputs and output, 6 MiB, count for both)."""
    import torch.nn.functional as F

    dtype = torch.bfloat16 if capability() >= (8, 0) else torch.float16
    T, D = 16_384, 64
    generator = torch.Generator(device="cuda").manual_seed(0)
    q, k, v = torch.randn(3, 1, 1, T, D, device="cuda", generator=generator).to(
        dtype
    )  # 3 x (B, H, T, D)

    def peak_bytes(run) -> int:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        before = torch.cuda.memory_allocated()
        with torch.no_grad():
            out = run()
        torch.cuda.synchronize()
        assert torch.isfinite(out.float()).all()
        return torch.cuda.max_memory_allocated() - before

    fused = peak_bytes(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True))
    mask = torch.ones(T, T, dtype=torch.bool, device="cuda").tril()  # (T, T)
    explicit = peak_bytes(lambda: scaled_dot_product_attention(q, k, v, mask)[0])
    print(
        f"T = {T}, {dtype}: fused peak {fused / 2**20:.0f} MiB, "
        f"explicit {explicit / 2**20:.0f} MiB ({explicit / max(fused, 1):.0f}x)"
    )
    assert explicit >= T * T * 2  # the scores alone
    assert fused * 20 < explicit


def test_the_kv_cache_reproduces_generate_on_the_gpu_and_reports_its_speed_up():
    """Greedy decoding (top_k=1) with and without the cache gives the same tokens; the
    speed-up is printed, not asserted (speed targets live in `make bench`)."""
    from course_utils.reference.gpt import generate
    from course_utils.reference.kv_cache import generate_with_cache
    from course_utils.timing import median_time

    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=65, block_size=256, n_head=6, d_model=384))
    model = model.cuda().eval()
    prompt = torch.randint(0, 65, (8, 16), device="cuda")  # (B, T)
    plain = generate(model, prompt, 200, top_k=1)  # (B, T + 200)
    cached = generate_with_cache(model, prompt, 200, top_k=1)  # (B, T + 200)
    assert torch.equal(plain, cached)
    slow = median_time(lambda: generate(model, prompt, 200, top_k=1), 3, 1, "cuda")
    fast = median_time(
        lambda: generate_with_cache(model, prompt, 200, top_k=1), 3, 1, "cuda"
    )
    print(f"KV cache on {torch.cuda.get_device_name()}: {slow / fast:.2f}x at batch 8")


def test_two_processes_train_data_parallel_under_torchrun(tmp_path):
    """`torchrun --nproc_per_node=2 -m course_utils.train` on two GPUs: both ranks finish,
    and rank 0 writes the summary."""
    import json
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    if torch.cuda.device_count() < 2:
        pytest.skip("needs two CUDA GPUs")
    torchrun = shutil.which("torchrun", path=str(Path(sys.executable).parent))
    assert torchrun, "torchrun comes with PyTorch, beside this Python"
    summary = tmp_path / "summary.json"
    command = [
        torchrun,
        "--standalone",
        "--nproc_per_node=2",
        "-m",
        "course_utils.train",
        "--preset",
        "tiny",
        "--set",
        "max_steps=20",
        "--sample",
        "0",
        "--no-progress",
        "--summary",
        str(summary),
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=600, cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert json.loads(summary.read_text())
