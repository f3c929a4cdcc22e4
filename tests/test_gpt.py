"""Unit tests of course_utils.reference.gpt, the reference GPT of lesson 07."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F

from course_utils.reference.gpt import (
    GPT,
    GPTConfig,
    count_parameters,
    generate,
    set_fused_attention,
)


@pytest.fixture(autouse=True)
def one_thread():
    saved = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(saved)


def small(**changes) -> GPT:
    torch.manual_seed(0)
    return GPT(
        GPTConfig(
            **{
                **dict(vocab_size=11, block_size=8, n_layer=2, n_head=2, d_model=16),
                **changes,
            }
        )
    )


def test_config_rejects_bad_sizes():
    with pytest.raises(ValueError, match="divisible"):
        GPTConfig(d_model=10, n_head=4)
    with pytest.raises(ValueError, match="dropout"):
        GPTConfig(dropout=1.5)


def test_forward_shapes_and_loss_is_the_mean_cross_entropy():
    model = small()
    idx = torch.randint(0, 11, (3, 8))
    targets = torch.randint(0, 11, (3, 8))
    logits, loss = model(idx, targets)
    assert logits.shape == (3, 8, 11)
    assert torch.allclose(
        loss, F.cross_entropy(logits.reshape(-1, 11), targets.reshape(-1))
    )
    logits_only, no_loss = model(idx)
    assert no_loss is None and torch.equal(logits_only, logits)


def test_too_long_input_is_refused():
    with pytest.raises(ValueError, match="block_size"):
        small()(torch.zeros(1, 9, dtype=torch.long))


@pytest.mark.parametrize("fused", [True, False])
def test_causal_the_future_does_not_change_the_past(fused):
    model = set_fused_attention(small(), fused)
    idx = torch.randint(0, 11, (2, 8))
    changed = idx.clone()
    changed[:, 5:] = (changed[:, 5:] + 1) % 11
    before, _ = model(idx)
    after, _ = model(changed)
    assert torch.allclose(before[:, :5], after[:, :5], atol=1e-6)
    assert not torch.allclose(before[:, 5:], after[:, 5:])


def test_fused_and_explicit_attention_agree():
    model = small().double()
    idx = torch.randint(0, 11, (4, 8))
    fused, _ = set_fused_attention(model, True)(idx)
    explicit, _ = set_fused_attention(model, False)(idx)
    assert torch.allclose(fused, explicit, atol=1e-10)


def test_weights_are_tied_and_counted_once():
    model = small()
    assert model.lm_head.weight is model.tok_emb.weight
    assert count_parameters(model) == sum(
        p.numel() for p in model.parameters()
    )  # parameters() dedups too
    assert count_parameters(model) < sum(v.numel() for v in model.state_dict().values())


def test_generate_appends_tokens_and_crops_the_context():
    model = small(block_size=4)
    seen = []
    original = model.forward

    def spy(idx, targets=None):
        seen.append(idx.shape[1])
        return original(idx, targets)

    model.forward = spy
    prompt = torch.randint(0, 11, (2, 6))
    out = generate(model, prompt, 5)
    assert out.shape == (2, 11) and torch.equal(out[:, :6], prompt)
    assert seen and max(seen) == 4


def test_generate_top_k_one_and_tiny_temperature_are_greedy():
    model = small()
    prompt = torch.randint(0, 11, (3, 2))
    greedy = prompt
    for _ in range(4):
        logits, _ = model(greedy)
        greedy = torch.cat([greedy, logits[:, -1].argmax(-1, keepdim=True)], 1)
    assert torch.equal(generate(model, prompt, 4, top_k=1), greedy)
    assert torch.equal(generate(model, prompt, 4, temperature=1e-4), greedy)


def test_generate_top_k_never_samples_outside_the_k_best():
    model = small()
    prompt = torch.zeros(500, 1, dtype=torch.long)
    logits, _ = model(prompt[:1])
    allowed = set(torch.topk(logits[0, -1], 3).indices.tolist())
    torch.manual_seed(1)
    sampled = set(generate(model, prompt, 1, temperature=5.0, top_k=3)[:, 1].tolist())
    assert sampled <= allowed and len(sampled) > 1


def test_generate_restores_training_mode_and_rejects_zero_temperature():
    model = small().train()
    generate(model, torch.zeros(1, 1, dtype=torch.long), 2)
    assert model.training
    with pytest.raises(ValueError, match="temperature"):
        generate(model, torch.zeros(1, 1, dtype=torch.long), 2, temperature=0.0)
