"""Standard FEEL values (DMN 1.5, chapter 10): numbers, texts, temporal values, ranges, functions.

Numbers are `Decimal` (34 digits, half-even, as the specification's IEEE 754-2008 decimal128);
dates, date-times and times are the standard library's; the two duration types, ranges and
functions are the small classes below, written by hand because FEEL's rules (two kinds of duration
that never compare with each other, ranges with open or closed ends, null for every type mismatch)
are no library's. Every operation here returns null for values FEEL does not define it for.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.runtime.feel.standard.far import FarMoment
from engine.runtime.feel.standard.far import ordering as far_ordering
from engine.runtime.feel.standard.far import type_name as far_type_name
from engine.runtime.parsing import Problem

CONTEXT = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN, Emax=6144, Emin=-6143,
                          traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow])
MAX_TEXT = 100_000
MAX_ITEMS = 100_000


@dataclass(frozen=True, slots=True)
class YearsMonths:
    """A years and months duration, in months."""

    months: int

    def __str__(self) -> str:
        sign, months = ("-" if self.months < 0 else ""), abs(self.months)
        years, rest = divmod(months, 12)
        text = (f"{years}Y" if years else "") + (f"{rest}M" if rest or not years else "")
        return f"{sign}P{text}"


@dataclass(frozen=True, slots=True)
class DaysTime:
    """A days and time duration, in seconds (exact)."""

    seconds: Decimal

    def __str__(self) -> str:
        sign, seconds = ("-" if self.seconds < 0 else ""), abs(self.seconds)
        days, rest = divmod(seconds, 86_400)
        hours, rest = divmod(rest, 3600)
        minutes, rest = divmod(rest, 60)
        text = f"{int(days)}D" if days else ""
        clock = (f"{int(hours)}H" if hours else "") + (f"{int(minutes)}M" if minutes else "")
        if rest:
            clock += f"{_plain(rest)}S"
        if clock:
            text += "T" + clock
        return f"{sign}P{text or 'T0S'}"

    def delta(self) -> dt.timedelta:
        whole = int(self.seconds)
        return dt.timedelta(seconds=whole, microseconds=int((self.seconds - whole) * 1_000_000))


class _NullEnd:
    """The end of a range written as null (`(null..10]`): unlike an open end, it makes containment null."""

    def __repr__(self) -> str:
        return "null"


NULL_END: Any = _NullEnd()


@dataclass(frozen=True, slots=True)
class Range:
    """A FEEL range; an end of None is unbounded (`< 10` is the range up to 10)."""

    low: Any
    high: Any
    low_closed: bool
    high_closed: bool
    equality: bool = False  # `=x`: the unary test of equality, which also holds for booleans and lists
    negated: bool = False  # `!=x`

    def contains(self, value: Any) -> bool | None:
        if self.low is NULL_END or self.high is NULL_END:
            return None
        if self.equality:
            same = equal(value, self.low)
            return (None if same is None else not same) if self.negated else same
        results: list[bool | None] = []
        if self.low is not None:
            order = ordering(value, self.low)
            results.append(None if order is None else order > 0 or (order == 0 and self.low_closed))
        if self.high is not None:
            order = ordering(value, self.high)
            results.append(None if order is None else order < 0 or (order == 0 and self.high_closed))
        return all_of(results)


@dataclass(eq=False)
class Function:
    """A FEEL function value: built-in, defined by a function literal, or a business knowledge model."""

    name: str
    params: tuple[str, ...]
    body: Callable[..., Any] = field(repr=False)
    variadic: bool = False
    # A built-in's body takes a list of values; a defined function's body takes a dict of its parameters.
    builtin: bool = False
    forms: tuple[Function, ...] = ()  # a built-in with several parameter lists: date(from), date(year, ...)
    fewest: int = 0  # a built-in's required arguments (named arguments left out become null up to here)
    # The budget of the evaluation that made a defined function: calls from built-ins (sort) count against it.
    budget: Any = field(default=None, repr=False)


def _plain(number: Decimal) -> str:
    text = format(number.normalize(CONTEXT), "f")
    return text


def is_date(value: object) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def type_name(value: Any) -> str:
    """The FEEL type of a value, as `instance of` names it."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, Decimal):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dt.datetime):
        return "date and time"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, dt.time):
        return "time"
    if isinstance(value, YearsMonths):
        return "years and months duration"
    if isinstance(value, DaysTime):
        return "days and time duration"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "context"
    if isinstance(value, Range):
        return "range"
    if isinstance(value, Function):
        return "function"
    if isinstance(value, FarMoment):
        return far_type_name(value)
    return "Any"


def _time_key(value: dt.time) -> Any:
    offset = value.utcoffset()
    seconds = value.hour * 3600 + value.minute * 60 + value.second + Decimal(value.microsecond) / 1_000_000
    return seconds - (Decimal(offset.total_seconds()) if offset is not None else 0), offset is None


def _datetime_key(value: dt.datetime) -> Any:
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC), True
    return value, False


def ordering(left: Any, right: Any) -> int | None:
    """-1, 0 or 1; None when FEEL cannot order the two values."""
    a: Any
    b: Any
    if isinstance(left, FarMoment) or isinstance(right, FarMoment):
        return far_ordering(left, right)
    if (isinstance(left, Decimal) and isinstance(right, Decimal)) or (isinstance(left, str) and isinstance(right, str)):
        a, b = left, right
    elif isinstance(left, dt.datetime) and isinstance(right, dt.datetime):
        (a, naive_a), (b, naive_b) = _datetime_key(left), _datetime_key(right)
        if naive_a != naive_b:
            return None
    elif is_date(left) and is_date(right):
        a, b = left, right
    elif isinstance(left, dt.time) and isinstance(right, dt.time):
        (a, naive_a), (b, naive_b) = _time_key(left), _time_key(right)
        if naive_a != naive_b:
            return None
    elif isinstance(left, YearsMonths) and isinstance(right, YearsMonths):
        a, b = left.months, right.months
    elif isinstance(left, DaysTime) and isinstance(right, DaysTime):
        a, b = left.seconds, right.seconds
    else:
        return None
    return -1 if a < b else 1 if a > b else 0


def equal(left: Any, right: Any) -> bool | None:
    """FEEL equality: null equals only null; values of different types give null."""
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right if isinstance(left, bool) and isinstance(right, bool) else None
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return False
        return all_of([equal(a, b) for a, b in zip(left, right, strict=True)])
    if isinstance(left, dict) and isinstance(right, dict):
        if set(left) != set(right):
            return False
        return all_of([equal(left[key], right[key]) for key in left])
    if isinstance(left, Range) and isinstance(right, Range):
        return (left.low_closed == right.low_closed and left.high_closed == right.high_closed
                and left.equality == right.equality and left.negated == right.negated
                and equal(left.low, right.low) is True and equal(left.high, right.high) is True)
    if isinstance(left, Function) or isinstance(right, Function):
        return left is right
    if isinstance(left, FarMoment) or isinstance(right, FarMoment):
        far_order = far_ordering(left, right)
        return None if far_order is None else far_order == 0
    if isinstance(left, dt.datetime) and isinstance(right, dt.datetime):
        if (left.tzinfo is None) != (right.tzinfo is None):
            return False
        return bool(left == right)
    if isinstance(left, dt.time) and isinstance(right, dt.time):
        if (left.tzinfo is None) != (right.tzinfo is None):
            return False
        return bool(_time_key(left) == _time_key(right))
    order = ordering(left, right)
    return None if order is None else order == 0


def all_of(values: Sequence[bool | None]) -> bool | None:
    if any(value is False for value in values):
        return False
    return None if any(value is not True for value in values) else True


def any_of(values: Sequence[bool | None]) -> bool | None:
    if any(value is True for value in values):
        return True
    return None if any(value is not False for value in values) else False


def to_feel(value: Any) -> Any:
    """A Python value as FEEL sees it: int and float become Decimal, tuples lists; containers converted."""
    if value is None or isinstance(value, bool | str | Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return Decimal(repr(value))
    if isinstance(value, list | tuple):
        return [to_feel(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_feel(item) for key, item in value.items()}
    return value


def checked_text(text: str) -> str:
    if len(text) > MAX_TEXT:
        raise Problem(f"Der Text würde zu lang (höchstens {MAX_TEXT} Zeichen).")
    return text


def checked_list(items: list[Any]) -> list[Any]:
    if len(items) > MAX_ITEMS:
        raise Problem(f"Die Liste würde zu lang (höchstens {MAX_ITEMS} Einträge).")
    return items
