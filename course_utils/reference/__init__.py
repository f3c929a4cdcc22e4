"""Reference answers of the graded functions, one module per lesson, for the lessons that build on them.

A lesson uses the answers of *earlier* lessons (lesson 05 masks attention with
`scaled_dot_product_attention`, lesson 06 builds blocks from `MultiHeadAttention`), so a
student who is stuck in one lesson is not stuck in the next. The tests of the lesson that
teaches a function forbid calling its reference here (see course_utils.testing.forbidden_calls
with a dotted name such as 'course_utils.reference.softmax').

Each module holds the answers of one lesson, named in `LESSON_OF`. The student pack
(`course pack --lessons 05-07`) ships only the modules of lessons before the first lesson it
packs, as a course releases solutions after a deadline; importing one it left out raises
`AnswerNotReleased`, which says so. The functions of lessons 00 to 05 are also importable
from this package itself (`from course_utils.reference import causal_mask`).

Each function follows the contract in COURSE_DESIGN.md and names the lesson that teaches it.
"""

from __future__ import annotations

import importlib
import importlib.util

# module of this package -> the lesson whose graded functions it answers
LESSON_OF = {
    "stable_softmax": "00_orientation",
    "rnn": "01_rnn_limits",
    "attention": "02_dot_product_attention",
    "heads": "03_multi_head_attention",
    "positions": "04_positional_encodings",
    "masks": "05_masking",
    "blocks": "06_transformer_blocks",
    "gpt": "07_training_a_transformer",
    "kv_cache": "08_attention_at_scale",
    "modern": "10_modern_transformer",
}

# name importable from the package itself -> the module that holds it
EXPORTS = {
    "softmax": "stable_softmax",
    "rnn_forward": "rnn",
    "scaled_dot_product_attention": "attention",
    "split_heads": "heads",
    "merge_heads": "heads",
    "MultiHeadAttention": "heads",
    "sinusoidal_positional_encoding": "positions",
    "apply_rope": "positions",
    "causal_mask": "masks",
    "padding_mask": "masks",
}


class AnswerNotReleased(ImportError):
    """An answer that this copy of the course does not contain (a student pack leaves out the
    answers of the lessons it packs and of the lessons after them)."""


def released(module: str) -> bool:
    """Whether this copy of the course holds the answers of `module` (a key of LESSON_OF)."""
    return importlib.util.find_spec(f"{__name__}.{module}") is not None


def load(module: str):
    """The answer module `module` (a key of LESSON_OF), or AnswerNotReleased saying which lesson it answers."""
    if module not in LESSON_OF:
        raise ValueError(
            f"no answer module {module!r}: expected one of {sorted(LESSON_OF)}"
        )
    try:
        return importlib.import_module(f"{__name__}.{module}")
    except ModuleNotFoundError as error:
        if error.name != f"{__name__}.{module}":
            raise
        raise AnswerNotReleased(
            f"{__name__}.{module} holds the answers to lesson {LESSON_OF[module]}, and this "
            "copy of the course does not include them: answers come with the lessons after "
            "theirs, once that lesson's deadline has passed. Write the function yourself, or "
            "ask your instructor for the pack that includes them."
        ) from None


def __getattr__(name: str):
    if name in EXPORTS:
        return getattr(load(EXPORTS[name]), name)
    if name in LESSON_OF:
        return load(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *(n for n, m in EXPORTS.items() if released(m))])
