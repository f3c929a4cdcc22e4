"""Unit tests of course_utils.reference.gpt, the reference GPT of lesson 07, and of
course_utils.reference.kv_cache, its KV-cached generation (lesson 08)."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F
from torch.utils.flop_counter import FlopCounterMode

from course_utils import reference
from course_utils.gpt_utils import GPTConfig, count_parameters, set_fused_attention
from course_utils.reference.gpt import GPT, generate, sample_next
from course_utils.reference.kv_cache import (
    cached_attention,
    cached_logits,
    generate_with_cache,
)
from course_utils.testing import ForbiddenCall, forbidden_calls


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


def test_causal_attention_reaches_sdpa_as_is_causal_without_a_mask(monkeypatch):
    """No (T, T) mask tensor: is_causal=True leaves the flash kernel free on CUDA."""
    seen = []
    sdpa = F.scaled_dot_product_attention

    def watching(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False, **rest):
        seen.append((attn_mask, is_causal))
        return sdpa(q, k, v, attn_mask, dropout_p, is_causal, **rest)

    monkeypatch.setattr(F, "scaled_dot_product_attention", watching)
    small()(torch.randint(0, 11, (2, 8)))
    assert seen == [(None, True)] * 2


def test_generate_samples_in_eval_mode():
    """Dropout is off while sampling, whatever mode the model was in."""
    model = small(dropout=0.5).train()
    modes = []
    model.register_forward_pre_hook(lambda module, args: modes.append(module.training))
    generate(model, torch.zeros(1, 1, dtype=torch.long), 3)
    assert modes == [False] * 3 and model.training


def test_generate_restores_training_mode_and_rejects_zero_temperature():
    model = small().train()
    generate(model, torch.zeros(1, 1, dtype=torch.long), 2)
    assert model.training
    with pytest.raises(ValueError, match="temperature"):
        generate(model, torch.zeros(1, 1, dtype=torch.long), 2, temperature=0.0)


def test_explicit_attention_is_the_course_reference():
    """The explicit path runs lesson 02's reference attention, the fused one does not."""
    idx = torch.randint(0, 11, (2, 8))
    model = set_fused_attention(small(), False)
    with pytest.raises(ForbiddenCall, match="scaled_dot_product_attention"):
        with forbidden_calls(reference.scaled_dot_product_attention, exercise="GPT"):
            model(idx)
    with forbidden_calls(reference.scaled_dot_product_attention, exercise="GPT"):
        set_fused_attention(model, True)(idx)


def test_explicit_attention_drops_the_weights_in_training_mode_only():
    model = set_fused_attention(small(dropout=0.5), False)
    idx = torch.randint(0, 11, (2, 8))
    model.train()
    assert not torch.equal(model(idx)[0], model(idx)[0])
    model.eval()
    assert torch.equal(model(idx)[0], model(idx)[0])
    fused, _ = set_fused_attention(model, True)(idx)
    explicit, _ = set_fused_attention(model, False)(idx)
    torch.testing.assert_close(fused, explicit)


def test_sample_next_keeps_the_top_k_with_ties_and_checks_temperature():
    logits = torch.tensor([[0.0, 3.0, 1.0, 3.0, -1.0]]).repeat(2000, 1)  # (B, V)
    torch.manual_seed(0)
    drawn = sample_next(logits, top_k=2)  # (B, 1)
    assert drawn.shape == (2000, 1)
    assert set(drawn[:, 0].tolist()) == {1, 3}  # the two best, nothing else
    torch.manual_seed(0)
    tied = set(sample_next(logits, top_k=1)[:, 0].tolist())
    assert tied == {1, 3}  # a tie at the k-th value keeps both
    everything = set(sample_next(logits, temperature=50.0, top_k=99)[:, 0].tolist())
    assert everything == {0, 1, 2, 3, 4}  # top_k above the vocabulary keeps all
    with pytest.raises(ValueError, match="temperature"):
        sample_next(logits, temperature=0.0)


@pytest.mark.parametrize("fused", [True, False])
def test_cached_attention_matches_the_layer_in_any_chunks(fused):
    model = set_fused_attention(small(n_head=4, d_model=32).double().eval(), fused)
    attn = model.blocks[1].attn
    x = torch.randn(3, 10, 32, dtype=torch.float64)  # (B, T, D)
    with torch.no_grad():
        expected = attn(x, is_causal=True)  # (B, T, D)
        pieces, past = [], None
        for start, stop in [(0, 4), (4, 5), (5, 10)]:
            piece, past = cached_attention(attn, x[:, start:stop], past)
            pieces.append(piece)
    torch.testing.assert_close(torch.cat(pieces, dim=1), expected)
    keys, values = past
    assert keys.shape == values.shape == (3, 4, 10, 8)  # (B, H, T, D/H)
    q_k_v = attn.qkv(x).split(32, dim=-1)  # 3 x (B, T, D)
    for cached, projected in zip((keys, values), q_k_v[1:], strict=True):
        torch.testing.assert_close(cached, reference.split_heads(projected, 4))


def test_cached_logits_match_one_forward_pass():
    model = GPT(
        GPTConfig(vocab_size=40, block_size=24, n_layer=2, n_head=2, d_model=16)
    ).eval()
    idx = torch.randint(0, 40, (2, 16))  # (B, T)
    with torch.no_grad():
        full, _ = model(idx)  # (B, T, V)
        caches = [None] * len(model.blocks)
        pieces = [cached_logits(model, idx[:, :5], caches, 0)]
        pieces += [
            cached_logits(model, idx[:, t : t + 1], caches, t) for t in range(5, 16)
        ]
    torch.testing.assert_close(torch.cat(pieces, dim=1), full)


@pytest.mark.parametrize("fused", [True, False])
def test_generate_with_cache_draws_the_same_tokens_as_generate(fused):
    model = set_fused_attention(
        small(vocab_size=23, block_size=40, n_layer=3, n_head=4, d_model=32), fused
    )
    prompt = torch.randint(0, 23, (3, 2))
    for temperature, top_k in [(1.0, None), (0.5, 1), (2.0, 7), (0.9, 4)]:
        torch.manual_seed(11)
        expected = generate(model, prompt, 38, temperature=temperature, top_k=top_k)
        torch.manual_seed(11)
        tokens = generate_with_cache(
            model, prompt, 38, temperature=temperature, top_k=top_k
        )
        assert torch.equal(tokens, expected), (temperature, top_k)


def test_generate_with_cache_restores_the_mode_and_refuses_to_overflow():
    model = small(dropout=0.5).train()  # block_size 8
    prompt = torch.tensor([[1, 2, 3]])
    torch.manual_seed(4)
    expected = generate(model, prompt, 5)
    torch.manual_seed(4)
    assert torch.equal(generate_with_cache(model, prompt, 5), expected)
    assert model.training
    assert torch.equal(generate_with_cache(model, prompt, 0), prompt)
    with pytest.raises(ValueError, match="block_size"):
        generate_with_cache(model, prompt, 6)


def test_generate_with_cache_reads_each_position_once():
    """The work of generating is about one forward pass over the result, not one per token."""
    model = small(block_size=40, n_layer=1).eval()
    prompt = torch.randint(0, 11, (1, 4))

    def flops(function):
        counter = FlopCounterMode(display=False)
        with counter:
            function()
        return counter.get_total_flops()

    with torch.no_grad():
        one_pass = flops(lambda: model(torch.randint(0, 11, (1, 34))))
    cached = flops(lambda: generate_with_cache(model, prompt, 30))
    uncached = flops(lambda: generate(model, prompt, 30))
    assert cached < 1.5 * one_pass < uncached / 5
