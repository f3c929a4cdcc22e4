"""Detect a call to a given Python function, however it was reached (lesson 05 onwards).

`forbidden_calls` in course_utils.testing patches a dotted name for the length of a block, which
misses a function the student imported under another name before the block started. Watching
the code objects that run catches every route, alias, wrapper or subclass included::

    from course_utils import reference
    with code_watch(reference.causal_mask) as seen:
        student_causal_mask(5)
    expect(not seen, "causal_mask calls the course's reference copy")
"""

from __future__ import annotations

import contextlib
import sys
from typing import Callable, Iterator

_getprofile = sys.getprofile
_setprofile = sys.setprofile


def _code_of(function: Callable):
    """The code object that runs when `function` is called: plain functions, methods, classes (their __init__/forward)."""
    codes = []
    if isinstance(function, type):
        for name in ("__init__", "forward", "__call__"):
            member = function.__dict__.get(name)
            if member is not None and hasattr(member, "__code__"):
                codes.append(member.__code__)
        return codes
    inner = getattr(function, "__func__", function)
    inner = getattr(inner, "__wrapped__", inner)
    if hasattr(inner, "__code__"):
        codes.append(inner.__code__)
    return codes


@contextlib.contextmanager
def code_watch(*functions: Callable) -> Iterator[list[str]]:
    """Yield a list that fills with the names of the watched functions called inside the block (lesson 05).

    Classes are watched through the __init__, forward and __call__ they define themselves.
    The profiler that was active before the block is put back after it.
    """
    watched = {}
    for function in functions:
        for code in _code_of(function):
            watched[code] = getattr(function, "__qualname__", repr(function))
    seen: list[str] = []
    previous = _getprofile()

    def profiler(frame, event, arg):
        if event == "call" and frame.f_code in watched:
            seen.append(watched[frame.f_code])
        if previous is not None:
            previous(frame, event, arg)

    _setprofile(profiler)
    try:
        yield seen
    finally:
        _setprofile(previous)
