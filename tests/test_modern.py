"""Unit tests of lesson 10's modules: the answers in course_utils.reference.modern against
PyTorch's own, and the GPT of course_utils.modern_gpt (its switches, its parts, Muon)."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest
import torch
from torch.nn import functional as F
from torch.optim._muon import _zeropower_via_newtonschulz

from course_utils.gpt_utils import GPTConfig
from course_utils.modern_gpt import (
    NS_COEFFICIENTS,
    GainNorm,
    GatedFeedForward,
    ModernConfig,
    ModernGPT,
    ModernParts,
    Muon,
    hidden_matrices,
    make_muon_step,
    swiglu_hidden,
)
from course_utils.reference.gpt import GPT
from course_utils.reference.modern import (
    RMSNorm,
    SwiGLU,
    newton_schulz,
    qk_norm_attention,
    rms_norm,
    swiglu,
)
from course_utils.train_config import preset


def test_rms_norm_matches_torch():
    x = torch.randn(3, 5, 8, dtype=torch.float64)
    weight = torch.randn(8, dtype=torch.float64)
    for eps in (1e-6, 0.1):
        want = F.rms_norm(x, (8,), weight, eps)
        torch.testing.assert_close(rms_norm(x, weight, eps), want)
    module = RMSNorm(8).double()
    torch.testing.assert_close(module(x), F.rms_norm(x, (8,), None, 1e-6))


def test_swiglu_function_and_module_agree():
    torch.manual_seed(0)
    layer = SwiGLU(6, 16)
    x = torch.randn(2, 3, 6)
    want = swiglu(x, layer.gate.weight.T, layer.up.weight.T, layer.down.weight.T)
    torch.testing.assert_close(layer(x), want)
    assert swiglu_hidden(48) == 128 and swiglu_hidden(96) == 256


def test_qk_norm_attention_matches_fused_attention():
    q, k, v = torch.randn(2, 3, 4, 8), torch.randn(2, 3, 6, 8), torch.randn(2, 3, 6, 5)
    gq, gk = torch.rand(8) + 0.5, torch.rand(8) + 0.5
    mask = torch.ones(4, 6, dtype=torch.bool).tril(2)
    out, weights = qk_norm_attention(q, k, v, gq, gk, mask)
    want = F.scaled_dot_product_attention(
        F.rms_norm(q, (8,), gq, 1e-6), F.rms_norm(k, (8,), gk, 1e-6), v, attn_mask=mask
    )
    torch.testing.assert_close(out, want, rtol=1e-5, atol=1e-5)
    assert weights.shape == (2, 3, 4, 6)
    _, large = qk_norm_attention(1e4 * q, k, v, torch.ones(8), torch.ones(8))
    bound = math.sqrt(8)
    assert (large.amax(-1) / large.amin(-1)).max() <= math.exp(2 * bound) * 1.001


@pytest.mark.parametrize("shape", [(16, 48), (48, 16), (24, 24), (3, 40)])
def test_newton_schulz_matches_torch_muon(shape):
    g = torch.randn(*shape, dtype=torch.float64)
    mine = newton_schulz(g)
    theirs = _zeropower_via_newtonschulz(g, NS_COEFFICIENTS, 5, 1e-7).double()
    assert mine.shape == g.shape and mine.dtype == g.dtype
    assert (mine - theirs).abs().max() < 0.04  # PyTorch's runs in bfloat16
    if shape[0] != shape[1]:
        values = torch.linalg.svdvals(mine)
        assert 0.6 <= values.min() and values.max() <= 1.25


def test_an_all_off_modern_gpt_is_lesson_07s_gpt():
    config = GPTConfig(vocab_size=20, block_size=12, n_layer=2, n_head=2, d_model=16)
    torch.manual_seed(0)
    gpt = GPT(config)
    modern = ModernGPT(ModernConfig(**config.to_dict()))
    modern.load_state_dict(gpt.state_dict())
    idx = torch.randint(0, 20, (3, 12))
    torch.testing.assert_close(modern(idx)[0], gpt(idx)[0])


@pytest.mark.parametrize(
    "switches",
    [
        {"norm": "rms"},
        {"feed_forward": "swiglu"},
        {"rope": True},
        {"qk_norm": True},
        {"bias": False},
        {"norm": "rms", "feed_forward": "swiglu", "rope": True, "qk_norm": True},
    ],
)
def test_each_switch_builds_a_causal_model(switches):
    torch.manual_seed(1)
    config = ModernConfig(
        vocab_size=20, block_size=12, n_layer=2, n_head=2, d_model=16, **switches
    )
    model = ModernGPT(config)
    idx = torch.randint(0, 20, (2, 12))
    logits, loss = model(idx, idx)
    assert logits.shape == (2, 12, 20) and torch.isfinite(loss)
    changed = idx.clone()
    changed[:, 8:] = (changed[:, 8:] + 1) % 20
    torch.testing.assert_close(model(changed)[0][:, :8], logits[:, :8])
    assert hasattr(model, "pos_emb") is not switches.get("rope", False)
    if switches.get("bias") is False:
        assert all(p.dim() != 1 or "weight" in n for n, p in model.named_parameters())


def test_unknown_switch_values_are_rejected():
    with pytest.raises(ValueError):
        ModernConfig(norm="batch")
    with pytest.raises(ValueError):
        ModernConfig(feed_forward="relu")


def test_muon_step_updates_hidden_matrices_with_muon():
    torch.manual_seed(2)
    model = ModernGPT(
        ModernConfig(vocab_size=20, block_size=8, n_layer=1, n_head=2, d_model=16)
    )
    step = make_muon_step(model, muon_lr=0.02, adam_lr=1e-3)
    muon, adam = step.optimizers
    matrices = hidden_matrices(model)
    assert {id(p) for p in muon.param_groups[0]["params"]} == {id(p) for p in matrices}
    in_muon = {id(p) for group in muon.param_groups for p in group["params"]}
    assert id(model.tok_emb.weight) not in in_muon
    idx = torch.randint(0, 20, (4, 8))
    before = [p.detach().clone() for p in matrices]
    config = preset("tiny")
    loss = step(model, (idx, idx), None, 1e-3, config)
    assert torch.isfinite(loss)
    assert muon.param_groups[0]["lr"] == pytest.approx(0.02)
    assert all(not torch.equal(b, p) for b, p in zip(before, matrices, strict=True))


def test_the_model_module_imports_no_answer_of_lesson_10():
    code = (
        "import sys, course_utils.modern_gpt, course_utils.ablation; "
        "print('course_utils.reference.modern' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


def test_the_gain_norm_and_the_gated_sublayer_compute_with_the_given_parts():
    x = torch.randn(2, 3, 8, dtype=torch.float64)
    norm = GainNorm(8, lambda x, w, eps: F.rms_norm(x, (8,), w, eps)).double()
    torch.testing.assert_close(norm(x), F.rms_norm(x, (8,), None, 1e-6))
    for bias in (False, True):
        torch.manual_seed(3)
        reference = SwiGLU(8, 24, bias=bias).double()
        for p in reference.parameters():
            torch.nn.init.normal_(p)
        layer = GatedFeedForward(8, 24, swiglu, bias=bias).double()
        layer.load_state_dict(reference.state_dict())
        torch.testing.assert_close(layer(x), reference(x))


def test_a_model_calls_the_parts_it_is_given():
    calls = {"rms_norm": 0, "swiglu": 0}

    def my_rms_norm(x, weight=None, eps=1e-6):
        calls["rms_norm"] += 1
        return rms_norm(x, weight, eps)

    def my_swiglu(x, w_gate, w_up, w_down):
        calls["swiglu"] += 1
        return swiglu(x, w_gate, w_up, w_down)

    switches = {"norm": "rms", "feed_forward": "swiglu", "qk_norm": True, "rope": True}
    config = ModernConfig(
        vocab_size=20, block_size=8, n_layer=2, n_head=2, d_model=16, **switches
    )
    torch.manual_seed(4)
    mine = ModernGPT(config, ModernParts(rms_norm=my_rms_norm, swiglu=my_swiglu))
    torch.manual_seed(4)
    default = ModernGPT(config)
    idx = torch.randint(0, 20, (2, 8))
    torch.testing.assert_close(mine(idx)[0], default(idx)[0])
    # two norms and QK-norm (twice) per block, and the final norm
    assert calls == {"rms_norm": 2 * 4 + 1, "swiglu": 2}


def test_muon_with_pytorchs_iteration_is_torch_optim_muon():
    torch.manual_seed(5)
    weights = [
        torch.randn(6, 10, requires_grad=True),
        torch.randn(12, 4).requires_grad_(),
    ]
    twins = [w.detach().clone().requires_grad_() for w in weights]
    ours = Muon(
        weights,
        lambda g: _zeropower_via_newtonschulz(g, NS_COEFFICIENTS, 5, 1e-7),
        lr=0.05,
        weight_decay=0.1,
    )
    theirs = torch.optim.Muon(twins, lr=0.05, weight_decay=0.1)
    for _ in range(3):
        for params, optimizer in ((weights, ours), (twins, theirs)):
            optimizer.zero_grad()
            sum(
                (p.sin() * torch.arange(p.numel()).view_as(p)).sum() for p in params
            ).backward()
            optimizer.step()
    for w, t in zip(weights, twins, strict=True):
        torch.testing.assert_close(w, t, rtol=0, atol=0)


def test_a_muon_step_with_newton_schulz_uses_it():
    torch.manual_seed(6)
    model = ModernGPT(
        ModernConfig(vocab_size=20, block_size=8, n_layer=1, n_head=2, d_model=16)
    )
    seen = []

    def orthogonalise(g):
        seen.append(g.shape)
        return newton_schulz(g)

    step = make_muon_step(model, newton_schulz=orthogonalise)
    muon, _ = step.optimizers
    assert isinstance(muon, Muon)
    idx = torch.randint(0, 20, (4, 8))
    loss = step(model, (idx, idx), None, 1e-3, preset("tiny"))
    assert torch.isfinite(loss)
    assert sorted(seen) == sorted(p.shape for p in hidden_matrices(model))


def test_parts_that_compute_the_same_share_a_fingerprint():
    reference = ModernParts(
        rms_norm=rms_norm, swiglu=swiglu, newton_schulz=newton_schulz
    )

    def written_out(x, weight=None, eps=1e-6):
        mean_square = x.pow(2).mean(dim=-1, keepdim=True)
        normed = x * torch.rsqrt(mean_square + eps)
        return normed if weight is None else normed * weight

    same = ModernParts(written_out, swiglu, newton_schulz)
    assert same.fingerprint() == reference.fingerprint()
    other = ModernParts(lambda x, w, eps: x * w, swiglu, newton_schulz)
    assert other.fingerprint() != reference.fingerprint()
    assert ModernParts().fingerprint() != reference.fingerprint()
