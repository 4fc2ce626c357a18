"""The FEEL range functions of DMN 1.4/1.5 (before, after, meets, overlaps, includes, ...) and `range(from)`.

A point is treated as the closed range [p..p]; an open end (`< 10`) is unbounded. Each function is
defined by comparisons of the ends and their inclusion, as the specification's table states them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from engine.runtime.feel.standard.values import NULL_END, Range, ordering

_Impl = Callable[..., Any]
# range(from): a range literal whose ends are literals (numbers, texts, @-literals, temporal constructors).
_END = r'\s*(?:-?\d+(?:\.\d+)?|"[^"]*"|@"[^"]*"|(?:date and time|date|time|duration)\("[^"]*"\)|null)?\s*'
_RANGE_TEXT = re.compile(rf"[\[(\]]{_END}\.\.{_END}[\])\[]")
_LOW, _HIGH = -1, 1


class _Ends:
    __slots__ = ("high", "high_in", "low", "low_in")

    def __init__(self, value: Any) -> None:
        if isinstance(value, Range):
            self.low, self.high, self.low_in, self.high_in = value.low, value.high, value.low_closed, value.high_closed
        else:
            self.low = self.high = value
            self.low_in = self.high_in = True


def _order(a: Any, a_side: int, b: Any, b_side: int) -> int | None:
    """Order of two ends, an unbounded end (None) lying beyond every value on its side."""
    if a is None or b is None:
        if a is None and b is None:
            return 0 if a_side == b_side else a_side
        return a_side if a is None else -b_side
    return ordering(a, b)


def _checked(function: Callable[[_Ends, _Ends], bool | None], ranges_only: bool = False) -> _Impl:
    def run(first: Any, second: Any) -> Any:
        for value in (first, second):
            if value is None or value is NULL_END:
                return None
            if ranges_only and not isinstance(value, Range):
                return None
            if isinstance(value, Range) and NULL_END in (value.low, value.high):
                return None
        a, b = _Ends(first), _Ends(second)
        try:
            return function(a, b)
        except _Incomparable:
            return None
    return run


class _Incomparable(Exception):
    pass


def _cmp(a: Any, a_side: int, b: Any, b_side: int) -> int:
    order = _order(a, a_side, b, b_side)
    if order is None:
        raise _Incomparable
    return order


def _before(a: _Ends, b: _Ends) -> bool:
    order = _cmp(a.high, _HIGH, b.low, _LOW)
    return order < 0 or (order == 0 and not (a.high_in and b.low_in))


def _meets(a: _Ends, b: _Ends) -> bool:
    return a.high_in and b.low_in and _cmp(a.high, _HIGH, b.low, _LOW) == 0


def _overlaps(a: _Ends, b: _Ends) -> bool:
    end_start = _cmp(a.high, _HIGH, b.low, _LOW)
    start_end = _cmp(a.low, _LOW, b.high, _HIGH)
    return ((end_start > 0 or (end_start == 0 and a.high_in and b.low_in))
            and (start_end < 0 or (start_end == 0 and a.low_in and b.high_in)))


def _overlaps_before(a: _Ends, b: _Ends) -> bool:
    starts = _cmp(a.low, _LOW, b.low, _LOW)
    end_start = _cmp(a.high, _HIGH, b.low, _LOW)
    ends = _cmp(a.high, _HIGH, b.high, _HIGH)
    return ((starts < 0 or (starts == 0 and a.low_in and not b.low_in))
            and (end_start > 0 or (end_start == 0 and a.high_in and b.low_in))
            and (ends < 0 or (ends == 0 and (not a.high_in or b.high_in))))


def _finishes(a: _Ends, b: _Ends) -> bool:
    starts = _cmp(a.low, _LOW, b.low, _LOW)
    return (a.high_in == b.high_in and _cmp(a.high, _HIGH, b.high, _HIGH) == 0
            and (starts > 0 or (starts == 0 and (not a.low_in or b.low_in))))


def _includes(a: _Ends, b: _Ends) -> bool:
    starts = _cmp(a.low, _LOW, b.low, _LOW)
    ends = _cmp(a.high, _HIGH, b.high, _HIGH)
    return ((starts < 0 or (starts == 0 and (a.low_in or not b.low_in)))
            and (ends > 0 or (ends == 0 and (a.high_in or not b.high_in))))


def _starts(a: _Ends, b: _Ends) -> bool:
    ends = _cmp(a.high, _HIGH, b.high, _HIGH)
    return (_cmp(a.low, _LOW, b.low, _LOW) == 0 and a.low_in == b.low_in
            and (ends < 0 or (ends == 0 and (not a.high_in or b.high_in))))


def _coincides(a: _Ends, b: _Ends) -> bool:
    return (_cmp(a.low, _LOW, b.low, _LOW) == 0 and _cmp(a.high, _HIGH, b.high, _HIGH) == 0
            and a.low_in == b.low_in and a.high_in == b.high_in)


def _flip(function: Callable[[_Ends, _Ends], bool]) -> Callable[[_Ends, _Ends], bool]:
    return lambda a, b: function(b, a)


def _range(text: Any) -> Any:
    if not isinstance(text, str) or len(text) > 1000 or not _RANGE_TEXT.fullmatch(text.strip()):
        return None
    from engine.runtime.feel.standard.compiler import compile_expression
    from engine.runtime.feel.standard.library import builtins
    from engine.runtime.feel.standard.scope import Env
    from engine.runtime.parsing import Problem

    try:
        value = compile_expression(text, builtins())(Env(builtins()))
    except Problem:
        return None
    return value if isinstance(value, Range) else None


_FORMS = (("point1", "point2"), ("point", "range"), ("range", "point"), ("range1", "range2"))
# name -> (parameter-name forms, implementation)
RANGE_FUNCTIONS: dict[str, tuple[tuple[tuple[str, ...], ...], _Impl]] = {
    "before": (_FORMS, _checked(_before)),
    "after": (_FORMS, _checked(_flip(_before))),
    "meets": ((("range1", "range2"),), _checked(_meets, ranges_only=True)),
    "met by": ((("range1", "range2"),), _checked(_flip(_meets), ranges_only=True)),
    "overlaps": ((("range1", "range2"),), _checked(_overlaps, ranges_only=True)),
    "overlaps before": ((("range1", "range2"),), _checked(_overlaps_before, ranges_only=True)),
    "overlaps after": ((("range1", "range2"),), _checked(_flip(_overlaps_before), ranges_only=True)),
    "finishes": ((("point", "range"), ("range1", "range2")), _checked(_finishes)),
    "finished by": ((("range", "point"), ("range1", "range2")), _checked(_flip(_finishes))),
    "includes": ((("range", "point"), ("range1", "range2")), _checked(_includes)),
    "during": ((("point", "range"), ("range1", "range2")), _checked(_flip(_includes))),
    "starts": ((("point", "range"), ("range1", "range2")), _checked(_starts)),
    "started by": ((("range", "point"), ("range1", "range2")), _checked(_flip(_starts))),
    "coincides": ((("point1", "point2"), ("range1", "range2")), _checked(_coincides)),
    "range": ((("from",),), _range),
}
