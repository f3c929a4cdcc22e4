"""Unit tests for course_utils.testing: the tolerance rule and the one forbidden-call check."""

from __future__ import annotations

import contextlib
import functools
import sys

import pytest
import torch
from torch import nn

from course_utils import reference
from course_utils.reference.blocks import EncoderBlock
from course_utils.testing import (
    CheckFailed,
    ForbiddenCall,
    expect_close,
    forbidden_calls,
    precision,
)

# --- tolerances -------------------------------------------------------------------------


def test_precision_is_the_loosest_dtype_of_the_tensors():
    x64, x32 = torch.zeros(2, dtype=torch.float64), torch.zeros(2)
    assert precision(x64) == 1e-6
    assert precision(x32, x64) == 1e-5
    assert precision(torch.zeros(2, dtype=torch.bfloat16), x32) == 1e-2
    assert precision(torch.zeros(2, dtype=torch.long)) == 0.0


def test_float64_results_may_use_float32_constants():
    q = torch.randn(3, 5, 7, dtype=torch.float64)
    exact = q / torch.sqrt(torch.tensor(7.0, dtype=torch.float64))
    with_float32_constant = q / torch.sqrt(torch.tensor(7.0, dtype=torch.float32))
    expect_close(with_float32_constant, exact)
    with pytest.raises(CheckFailed, match="differs from the reference"):
        expect_close(exact * (1 + 1e-4), exact)


def test_float32_results_are_judged_relative_to_the_size_of_the_values():
    want = torch.tensor([1000.0, 1e-3], dtype=torch.float64)
    expect_close(torch.tensor([1000.005, 1e-3 + 5e-3]), want)  # 5e-3 < 1e-5 * 1000
    with pytest.raises(CheckFailed):
        expect_close(torch.tensor([1000.0, 1e-3 + 0.02]), want)


def test_an_explicit_tolerance_means_exactly_that():
    want = torch.ones(3, dtype=torch.float64)
    with pytest.raises(
        CheckFailed
    ):  # the default rtol no longer hides behind atol=1e-10
        expect_close(want * (1 + 1e-7), want, atol=1e-10)
    expect_close(want * (1 + 1e-7), want, rtol=1e-6)
    with pytest.raises(CheckFailed):
        expect_close(want, want + 1e-12, atol=0, rtol=0)


def test_integer_results_are_compared_exactly():
    expect_close(torch.tensor([1, 2]), torch.tensor([1, 2]))
    with pytest.raises(CheckFailed):
        expect_close(torch.tensor([1, 2]), torch.tensor([1, 3]))


def test_identical_tensors_pass_and_one_changed_element_still_fails():
    """Equal tensors take a shortcut; anything else still goes through the full rule."""
    want = torch.randn(300, 40, generator=torch.Generator().manual_seed(0))
    expect_close(want.clone(), want, atol=0, rtol=0)
    off = want.clone()
    off[7, 3] += 1e-3
    with pytest.raises(CheckFailed, match=r"at index \(7, 3\)"):
        expect_close(off, want, atol=0, rtol=0)
    nan = torch.tensor([1.0, float("nan")])
    expect_close(nan.clone(), nan)  # NaN in the same places: the full rule passes it
    with pytest.raises(CheckFailed, match="NaN"):
        expect_close(torch.tensor([1.0, 2.0]), nan)
    # the same values in another dtype are judged by the rule, not the shortcut
    expect_close(want.double(), want)


# --- forbidden calls --------------------------------------------------------------------


def _raises_forbidden(block):
    with pytest.raises(ForbiddenCall, match="causal_mask"):
        with forbidden_calls(reference.causal_mask, exercise="causal_mask"):
            block()


def test_an_alias_taken_before_the_check_is_seen():
    alias = reference.causal_mask
    _raises_forbidden(lambda: alias(3))


def test_a_wrapper_a_lambda_and_a_partial_are_seen():
    def wrapper(n):
        return reference.causal_mask(n)

    _raises_forbidden(lambda: wrapper(3))
    _raises_forbidden(functools.partial(reference.causal_mask, 4))


def test_a_dotted_name_is_watched_not_patched():
    alias = reference.softmax
    with pytest.raises(ForbiddenCall, match="softmax"):
        with forbidden_calls("course_utils.reference.softmax", exercise="softmax"):
            alias(torch.zeros(2))
    assert reference.softmax is alias


def test_bound_methods_and_subclasses_of_a_class_are_seen():
    class Sub(EncoderBlock):
        pass

    block = EncoderBlock(8, 2, 16)
    forward = block.forward
    with pytest.raises(ForbiddenCall, match="EncoderBlock"):
        with forbidden_calls(EncoderBlock, exercise="EncoderBlock"):
            forward(torch.zeros(1, 3, 8))
    with pytest.raises(ForbiddenCall, match="EncoderBlock"):
        with forbidden_calls(EncoderBlock, exercise="EncoderBlock"):
            Sub(8, 2, 16)
    with forbidden_calls(EncoderBlock, exercise="EncoderBlock") as seen:
        nn.Linear(2, 2)(torch.zeros(1, 2))
    assert seen == []


def test_a_method_named_by_its_dotted_path_is_seen():
    from course_utils.reference.gpt import GPT, GPTConfig

    model = GPT(
        GPTConfig(
            vocab_size=5, block_size=4, n_layer=1, n_head=1, d_model=8, dropout=0.0
        )
    )
    captured = GPT.forward
    with pytest.raises(ForbiddenCall, match="GPT.forward"):
        with forbidden_calls(
            "course_utils.reference.gpt.GPT.forward", exercise="GPT.forward"
        ):
            captured(model, torch.zeros(1, 3, dtype=torch.long))


def test_torch_functions_are_seen_through_every_route():
    from torch import softmax as renamed

    for route in (
        lambda x: renamed(x, -1),
        lambda x: x.softmax(-1),
        lambda x: nn.Softmax(-1)(x),
    ):
        with pytest.raises(ForbiddenCall, match="softmax"):
            with forbidden_calls("softmax", "_softmax", exercise="softmax"):
                route(torch.zeros(2))


def test_a_compiled_function_is_seen_and_the_check_does_not_import_the_compiler():
    import subprocess

    first_use = (
        "import sys, torch\n"
        "from course_utils.testing import forbidden_calls\n"
        "with forbidden_calls('add'):\n"
        "    torch.zeros(2).softmax(-1)\n"
        "print('torch._dynamo' in sys.modules, 'sympy' in sys.modules)\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", first_use], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.split() == ["False", "False"], loaded.stdout + loaded.stderr
    compiled = torch.compile(lambda x: torch.softmax(x * 2, -1), backend="eager")
    with pytest.raises(ForbiddenCall, match="softmax"):
        with forbidden_calls("_softmax", exercise="softmax"):
            compiled(torch.zeros(2))


def test_a_check_adds_only_the_watches_its_targets_need():
    """A mode or profile hook that watches nothing still slows every call in the block."""
    from torch.overrides import _get_current_function_mode
    from torch.utils._python_dispatch import _get_current_dispatch_mode

    with forbidden_calls("_softmax", exercise="softmax"):
        assert sys.getprofile() is None  # no Python code to watch
        assert _get_current_function_mode() is not None
        assert _get_current_dispatch_mode() is not None
    with forbidden_calls(reference.softmax, exercise="softmax"):
        assert sys.getprofile() is not None
        assert _get_current_function_mode() is None  # no torch name to watch
        assert _get_current_dispatch_mode() is None
    with pytest.raises(ForbiddenCall, match="softmax"):
        with forbidden_calls(reference.softmax, exercise="softmax"):
            reference.softmax(torch.zeros(2))


def test_own_code_passes_and_the_previous_profiler_is_restored():
    events = []

    def previous(frame, event, arg):
        events.append(event)

    sys.setprofile(previous)
    try:
        with forbidden_calls(reference.causal_mask, exercise="causal_mask") as seen:
            torch.ones(3, 3).tril().bool()
        assert sys.getprofile() is previous
    finally:
        sys.setprofile(None)
    assert seen == [] and events, "the previous profiler should still receive events"


def test_switching_the_watch_off_is_reported():
    with pytest.raises(ForbiddenCall, match="switched off"):
        with forbidden_calls(reference.causal_mask, exercise="causal_mask"):
            sys.setprofile(None)
            reference.causal_mask(3)


def test_an_unwatchable_target_is_a_clear_error():
    with pytest.raises(TypeError, match="expected a Python function"):
        with forbidden_calls(42, exercise="x"):
            pass


def test_a_class_is_watched_through_its_own_code_only():
    class Model(nn.Module):
        @contextlib.contextmanager
        def evaluating(self):
            yield self

    with pytest.raises(ForbiddenCall, match="Model"):
        with forbidden_calls(Model, exercise="Model"):
            with Model().evaluating():
                pass

    # contextlib's generic wrapper is not Model's code: other context managers are fine.
    @contextlib.contextmanager
    def unrelated():
        yield

    with forbidden_calls(Model, exercise="Model") as seen:
        with unrelated():
            pass
    assert seen == []


def test_an_lru_cached_function_is_seen_when_it_answers_from_its_cache():
    @functools.lru_cache
    def expensive(n):
        return n + 1

    expensive(1)
    alias = expensive
    with pytest.raises(ForbiddenCall, match="expensive"):
        with forbidden_calls(expensive, exercise="cached"):
            alias(1)  # a cache hit runs no Python code


def test_a_dotted_name_passes_a_module_that_shares_a_class_name(tmp_path, monkeypatch):
    package = tmp_path / "shadowpkg"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from shadowpkg.Model import Model\n"  # the class, beside a module of its name
    )
    (package / "Model.py").write_text(
        "class Model:\n    def encode(self):\n        return 1\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import shadowpkg

    with pytest.raises(ForbiddenCall, match="encode"):
        with forbidden_calls("shadowpkg.Model.encode", exercise="encode"):
            shadowpkg.Model().encode()
