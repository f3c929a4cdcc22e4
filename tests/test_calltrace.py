"""Unit tests for course_utils.calltrace."""

from torch import nn

from course_utils import reference
from course_utils.blocks import EncoderBlock
from course_utils.calltrace import code_watch


def test_alias_and_wrapper_are_seen():
    alias = reference.causal_mask

    def wrapper(n):
        return alias(n)

    with code_watch(reference.causal_mask) as seen:
        wrapper(3)
    assert seen == ["causal_mask"]


def test_own_code_is_not_reported():
    def own(n):
        return n + 1

    with code_watch(reference.causal_mask) as seen:
        own(3)
    assert seen == []


def test_classes_are_watched_through_their_methods():
    class Sub(EncoderBlock):
        pass

    with code_watch(EncoderBlock) as seen:
        Sub(8, 2, 16)
    assert "EncoderBlock" in seen
    with code_watch(EncoderBlock) as seen:
        nn.Linear(2, 2)
    assert seen == []


def test_previous_profiler_is_restored():
    import sys

    calls = []
    sys.setprofile(lambda frame, event, arg: calls.append(event))
    try:
        with code_watch(reference.softmax):
            pass
        assert sys.getprofile() is not None
    finally:
        sys.setprofile(None)
