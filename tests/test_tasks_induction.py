"""Unit tests of course_utils.tasks.induction (lesson 11)."""

from __future__ import annotations

import pytest
import torch

from course_utils.tasks.induction import (
    AttentionOnlyTransformer,
    causal_weights,
    next_token_losses,
    ov_circuit,
    repeated_segments,
    segment_losses,
    train_induction,
)


def test_repeated_segments_layout():
    batch = repeated_segments(
        40, seq_len=30, vocab_size=9, min_segment=3, max_segment=15
    )
    tokens, lengths = batch.tokens, batch.segment_lengths
    assert tokens.shape == (40, 30) and tokens.dtype == torch.long
    assert bool((tokens >= 0).all()) and bool((tokens < 9).all())
    assert bool((lengths >= 3).all()) and bool((lengths <= 15).all())
    for row, length in zip(tokens, lengths.tolist(), strict=True):
        assert torch.equal(row[:length], row[length : 2 * length])
    for b, length in enumerate(lengths.tolist()):
        first = batch.first[b].nonzero().flatten() + 1
        repeat = batch.repeat[b].nonzero().flatten() + 1
        assert first.tolist() == list(range(1, length))
        assert repeat.tolist() == list(range(length + 1, 2 * length))


def test_repeated_segments_is_seeded_and_validates():
    a = repeated_segments(5, seed=1).tokens
    b = repeated_segments(5, seed=1).tokens
    c = repeated_segments(5, seed=2).tokens
    assert torch.equal(a, b) and not torch.equal(a, c)
    lengths = repeated_segments(2000, seed=0).segment_lengths
    assert set(lengths.tolist()) == set(range(12, 25))
    with pytest.raises(ValueError):
        repeated_segments(2, seq_len=20, min_segment=4, max_segment=11)


def test_model_shapes_fused_and_explicit_agree():
    torch.manual_seed(0)
    model = AttentionOnlyTransformer(vocab_size=11, max_len=16, d_model=24, n_heads=3)
    tokens = torch.randint(0, 11, (4, 16))
    fused = model(tokens)
    assert fused.shape == (4, 16, 11)
    for layer in model.layers:
        layer.fused = False
    explicit = model(tokens)
    torch.testing.assert_close(fused, explicit, rtol=1e-5, atol=1e-5)


def test_model_is_causal():
    torch.manual_seed(1)
    model = AttentionOnlyTransformer(vocab_size=7, max_len=10)
    tokens = torch.randint(0, 7, (2, 10))
    changed = tokens.clone()
    changed[:, 6:] = (changed[:, 6:] + 1) % 7
    torch.testing.assert_close(model(tokens)[:, :6], model(changed)[:, :6])


def test_causal_weights_rows():
    q, k = torch.randn(2, 3, 5, 4), torch.randn(2, 3, 5, 4)
    weights = causal_weights(q, k)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 3, 5))
    assert bool((weights.triu(1) == 0).all())


def test_next_token_losses_matches_cross_entropy():
    logits, tokens = torch.randn(3, 6, 5), torch.randint(0, 5, (3, 6))
    losses = next_token_losses(logits, tokens)
    assert losses.shape == (3, 5)
    want = -logits.log_softmax(-1)[1, 2, tokens[1, 3]]
    torch.testing.assert_close(losses[1, 2], want)


def test_ov_circuit_is_the_heads_direct_path():
    torch.manual_seed(2)
    model = AttentionOnlyTransformer(vocab_size=9, max_len=8, d_model=16, n_heads=4)
    block = model.layers[1]
    seen = {}

    def keep_only_head(module, inputs, output):
        kept = torch.zeros_like(output)
        kept[:, 2] = output[:, 2]
        return kept

    # One token attended to by a fully attending head: the head's output is that token's
    # value, so the direct path from embedding to logits is one row of the circuit.
    x = model.embed.weight[3].view(1, 1, -1)  # (1, 1, D)
    handle = block.hook_z.register_forward_hook(keep_only_head)
    try:
        seen["out"] = block(x)
    finally:
        handle.remove()
    logits = model.unembed(seen["out"])[0, 0]  # (V,)
    torch.testing.assert_close(ov_circuit(model, 1, 2)[3], logits.detach())


def test_training_keeps_checkpoints():
    torch.manual_seed(0)
    model = AttentionOnlyTransformer(vocab_size=10, max_len=16, d_model=16, n_heads=2)
    eval_batch = repeated_segments(64, 16, 10, min_segment=4, max_segment=8, seed=5)
    history = train_induction(
        model, 3, batch_size=8, checkpoint_every=2, min_segment=4, max_segment=8
    )
    assert [h["step"] for h in history] == [0, 2, 3]
    assert set(history[0]) == {"step", "state", "first", "repeat"}
    first, repeat = segment_losses(model, eval_batch)
    assert history[-1]["first"] > 0 and first > 0 and repeat > 0
    model.load_state_dict(history[0]["state"])
    assert segment_losses(model, eval_batch) != (first, repeat)
