"""Unit tests of course_utils.scaling_law: 6ND, parameter counts, the fits and a tiny sweep."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from course_utils.gpt_utils import GPTConfig
from course_utils.reference.gpt import GPT
from course_utils.scaling_law import (
    IsoFLOPFit,
    PowerLaw,
    SweepRecord,
    compute_optimal,
    fit_isoflop,
    fit_power_law,
    isoflop_sweep,
    non_embedding_parameters,
    tokens_for_budget,
    training_flops,
)
from course_utils.tasks.text import TextData
from course_utils.train_config import preset

TEXT = "def add(a, b):\n    return a + b\n\nclass Point:\n    x = 1\n" * 60


@pytest.fixture(autouse=True)
def one_thread():
    saved = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(saved)


def test_training_flops_is_six_n_d():
    assert training_flops(175e9, 300e9) == pytest.approx(3.15e23)
    assert training_flops(70e9, 1.4e12) == pytest.approx(5.88e23)
    assert training_flops(0, 10) == 0.0
    with pytest.raises(ValueError):
        training_flops(-1, 10)


def test_tokens_for_budget_inverts_training_flops():
    assert tokens_for_budget(training_flops(1234, 5678), 1234) == pytest.approx(5678)
    with pytest.raises(ValueError):
        tokens_for_budget(1e9, 0)


def test_non_embedding_parameters_of_the_gpt():
    config = GPTConfig(vocab_size=50, block_size=16, n_layer=2, n_head=2, d_model=8)
    model = GPT(config)
    total = sum(p.numel() for p in {id(p): p for p in model.parameters()}.values())
    embeddings = (50 + 16) * 8  # token and position tables; the head is tied
    assert non_embedding_parameters(model) == total - embeddings
    d = 8
    # Per block: qkv and output projections 4 d^2 + 4 d, the MLP 8 d^2 + 5 d, two
    # LayerNorms 4 d; then the final LayerNorm 2 d.
    assert non_embedding_parameters(model) == 2 * (12 * d * d + 13 * d) + 2 * d


def test_non_embedding_parameters_counts_an_untied_head_and_skips_frozen():
    model = nn.Sequential(nn.Embedding(10, 4), nn.Linear(4, 10, bias=False))
    assert non_embedding_parameters(model) == 40
    model[1].weight.requires_grad_(False)
    assert non_embedding_parameters(model) == 0
    tied = nn.Sequential(nn.Embedding(10, 4), nn.Linear(4, 10, bias=False))
    tied[1].weight = tied[0].weight
    assert non_embedding_parameters(tied) == 0


def test_fit_power_law_recovers_exponent_and_prefactor():
    x = np.array([1e9, 3e9, 1e10, 3e10])
    law = fit_power_law(x, 2.5 * x**0.5)
    assert isinstance(law, PowerLaw)
    assert law.exponent == pytest.approx(0.5, abs=1e-9)
    assert law.prefactor == pytest.approx(2.5, rel=1e-6)
    assert law(4e10) == pytest.approx(2.5 * 2e5, rel=1e-6)
    assert np.allclose(law(x), 2.5 * x**0.5)
    falling = fit_power_law([1, 10, 100], [3.0, 3.0 * 10**-0.1, 3.0 * 100**-0.1])
    assert falling.exponent == pytest.approx(-0.1, abs=1e-9)


def test_fit_power_law_rejects_what_log_space_cannot_hold():
    with pytest.raises(ValueError):
        fit_power_law([1, 2], [1, -1])
    with pytest.raises(ValueError):
        fit_power_law([0, 2], [1, 1])
    with pytest.raises(ValueError):
        fit_power_law([2, 2], [1, 3])
    with pytest.raises(ValueError):
        fit_power_law([1, 2, 3], [1, 2])


def test_fit_isoflop_finds_the_bottom_of_a_valley():
    n = np.array([1e3, 3e3, 1e4, 3e4, 1e5])
    u = np.log(n)
    loss = 0.2 * (u - math.log(5e3)) ** 2 + 2.0
    fit = fit_isoflop(n, loss, budget=1e10)
    assert isinstance(fit, IsoFLOPFit)
    assert fit.n_opt == pytest.approx(5e3, rel=1e-6)
    assert fit.loss_opt == pytest.approx(2.0, abs=1e-9)
    assert fit.inside
    assert fit(5e3) == pytest.approx(2.0, abs=1e-9)
    assert fit.tokens_opt == pytest.approx(1e10 / (6 * 5e3), rel=1e-6)
    edge = fit_isoflop(n, 0.2 * (u - math.log(5e5)) ** 2 + 2.0)
    assert not edge.inside and math.isnan(edge.tokens_opt)


def test_fit_isoflop_refuses_a_profile_without_a_valley():
    n = [1e3, 1e4, 1e5]
    with pytest.raises(ValueError, match="no valley"):
        fit_isoflop(n, [3.0, 2.5, 2.0])  # collinear in ln N: flat curvature
    with pytest.raises(ValueError, match="no valley"):
        fit_isoflop(n, [2.0, 3.0, 2.0])  # a hill
    with pytest.raises(ValueError):
        fit_isoflop([1e3, 1e4], [2.0, 1.0])


def test_compute_optimal_groups_by_budget_and_feeds_a_power_law():
    records = []
    for budget in (4e9, 1e10, 4e10):
        best = 0.01 * budget**0.5  # a synthetic frontier N_opt = 0.01 C^0.5
        for n in (best / 8, best / 2, best, best * 2, best * 8):
            loss = 0.1 * math.log(n / best) ** 2 + 10 * budget**-0.05
            records.append(SweepRecord(budget, 0, int(round(n)), 0, 0, 0.0, loss, 0.0))
    fits = compute_optimal(records[::-1])
    assert [f.budget for f in fits] == [4e9, 1e10, 4e10]
    law = fit_power_law([f.budget for f in fits], [f.n_opt for f in fits])
    assert law.exponent == pytest.approx(0.5, abs=1e-3)
    loss_law = fit_power_law([f.budget for f in fits], [f.loss_opt for f in fits])
    assert loss_law.exponent == pytest.approx(-0.05, abs=1e-3)


def test_isoflop_sweep_spends_the_budget_with_the_training_loop():
    data = TextData.from_text(TEXT)
    vocab = data.tokenizer.vocab_size
    config = preset("tiny").replace(
        batch_size=4, model={"block_size": 16}, eval_batches=1, device="cpu"
    )
    built = []

    def make_model(width):
        built.append(width)
        return GPT(GPTConfig(vocab, 16, n_layer=1, n_head=2, d_model=width))

    lines = []
    records = isoflop_sweep(
        make_model, [8, 16], [2e6, 4e6], data, config, seed=3, log=lines.append
    )
    assert built == [8, 16, 8, 16] and len(lines) == 4
    assert [(r.budget, r.width) for r in records] == [
        (2e6, 8),
        (2e6, 16),
        (4e6, 8),
        (4e6, 16),
    ]
    for r in records:
        assert r.n_params == non_embedding_parameters(make_model(r.width))
        assert r.steps == max(1, round(r.budget / (6 * r.n_params) / 64))
        assert r.tokens == r.steps * 64
        assert r.flops == pytest.approx(6 * r.n_params * r.tokens)
        assert abs(r.flops - r.budget) <= 6 * r.n_params * 32 + 1e-6
        assert math.isfinite(r.val_loss) and r.seconds > 0
    assert records[2].steps > records[0].steps  # twice the budget, more tokens
    again = isoflop_sweep(make_model, [8], 2e6, data, config, seed=3, log=None)
    assert again[0].val_loss == records[0].val_loss  # the seed fixes everything
    planned = isoflop_sweep(
        make_model, {4e6: [16], 2e6: [8]}, None, data, config, 3, log=None
    )
    assert [(r.budget, r.width) for r in planned] == [(4e6, 16), (2e6, 8)]
    assert planned[1].val_loss == records[0].val_loss


def test_isoflop_sweep_rejects_empty_and_non_positive_budgets():
    data = TextData.from_text(TEXT)
    config = preset("tiny").replace(model={"block_size": 16}, device="cpu")
    with pytest.raises(ValueError):
        isoflop_sweep(lambda w: None, [], 1e6, data, config)
    with pytest.raises(ValueError):
        isoflop_sweep(lambda w: None, [8], 0.0, data, config)
    with pytest.raises(ValueError):
        isoflop_sweep(lambda w: None, [8], None, data, config)
    with pytest.raises(ValueError):
        isoflop_sweep(lambda w: None, {1e6: [8]}, [1e6], data, config)
    with pytest.raises(ValueError):
        isoflop_sweep(lambda w: None, {1e6: []}, None, data, config)
