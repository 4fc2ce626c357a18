"""Dates and date-times with years outside 1-9999 (FEEL allows -999,999,999 to 999,999,999).

Python's `date` holds years 1-9999 only. The Gregorian calendar repeats exactly every 400 years
(146,097 days, weekdays included), so a far moment is kept as a standard-library moment in the
years 2000-2399 plus a shift by whole 400-year cycles; arithmetic, ordering and properties work
on the inner moment and carry the shift. Time zones are applied with the rules of the inner year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

MIN_YEAR, MAX_YEAR = -999_999_999, 999_999_999
_CYCLE_YEARS, _CYCLE_DAYS = 400, 146_097


@dataclass(frozen=True)
class FarMoment:
    """A date (inner `date`) or date and time (inner `datetime`) whose year is inner year + shift."""

    inner: dt.date
    shift: int  # whole 400-year cycles, in years

    @property
    def year(self) -> int:
        return self.inner.year + self.shift

    @property
    def is_datetime(self) -> bool:
        return isinstance(self.inner, dt.datetime)


def make(year: int, month: int, day: int, moment: dt.time | None = None) -> Any:
    """A date (or date and time with `moment`) of any FEEL year; a standard one where Python holds it."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    if 1 <= year <= 9999:
        day_value = dt.date(year, month, day)
        return day_value if moment is None else dt.datetime.combine(day_value, moment)
    shift = ((year - 2000) // _CYCLE_YEARS) * _CYCLE_YEARS
    inner: dt.date = dt.date(year - shift, month, day)
    if moment is not None:
        inner = dt.datetime.combine(inner, moment)
    return FarMoment(inner, shift)


def _normal(inner: dt.date, shift: int) -> Any:
    year = inner.year + shift
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    if 1 <= year <= 9999 and 1 <= inner.year <= 9999:
        try:
            return inner.replace(year=year)
        except ValueError:
            return None
    cycles = (inner.year - 2000) // _CYCLE_YEARS
    return FarMoment(inner.replace(year=inner.year - cycles * _CYCLE_YEARS), shift + cycles * _CYCLE_YEARS)


def lift(value: Any) -> FarMoment | None:
    if isinstance(value, FarMoment):
        return value
    if isinstance(value, dt.date):
        cycles = (value.year - 2000) // _CYCLE_YEARS
        return FarMoment(value.replace(year=value.year - cycles * _CYCLE_YEARS), cycles * _CYCLE_YEARS)
    return None


def type_name(value: FarMoment) -> str:
    return "date and time" if value.is_datetime else "date"


def _key(value: FarMoment) -> tuple[int, Any]:
    inner = value.inner
    if isinstance(inner, dt.datetime) and inner.tzinfo is not None:
        inner = inner.astimezone(dt.UTC).replace(tzinfo=None)
    return value.shift, inner


def ordering(left: Any, right: Any) -> int | None:
    a, b = lift(left), lift(right)
    if a is None or b is None or a.is_datetime != b.is_datetime:
        return None
    if _zoned(a) != _zoned(b):
        return None
    key_a, key_b = _key(a), _key(b)
    return -1 if key_a < key_b else 1 if key_a > key_b else 0


def _zoned(value: FarMoment) -> bool:
    return isinstance(value.inner, dt.datetime) and value.inner.tzinfo is not None


def _as_datetime(value: dt.date) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)


def calculate(symbol: str, a: Any, b: Any) -> Any:
    """`+`/`-` of a far moment and a duration, or the difference of two moments (one far)."""
    from engine.runtime.feel.standard.values import DaysTime, YearsMonths

    if symbol == "+" and isinstance(a, YearsMonths | DaysTime):
        a, b = b, a
    if isinstance(b, YearsMonths | DaysTime) and symbol in "+-":
        moment = lift(a)
        if moment is None:
            return None
        sign = 1 if symbol == "+" else -1
        if isinstance(b, YearsMonths):
            return _normal(moment.inner + relativedelta(months=sign * b.months), moment.shift)
        if not moment.is_datetime and b.seconds % 86_400:
            return None
        return _normal(moment.inner + sign * b.delta(), moment.shift)
    if symbol == "-":
        left, right = lift(a), lift(b)
        if left is None or right is None or left.is_datetime != right.is_datetime:
            return None
        if _zoned(left) != _zoned(right):
            return None
        delta = _as_datetime(left.inner) - _as_datetime(right.inner)
        days = delta.days + (left.shift - right.shift) // _CYCLE_YEARS * _CYCLE_DAYS
        return DaysTime(Decimal(days * 86_400 + delta.seconds) + Decimal(delta.microseconds) / 1_000_000)
    return None


def property_of(value: FarMoment, name: str) -> Any:
    if name == "year":
        return Decimal(value.year)
    if name in ("month", "day"):
        return Decimal(getattr(value.inner, name))
    if name == "weekday":
        return Decimal(value.inner.isoweekday())
    return MISSING


MISSING: Any = object()


def text(value: FarMoment, time_text: Callable[[dt.time], str]) -> str:
    year = value.year
    sign = "-" if year < 0 else ""
    date_text = f"{sign}{abs(year):04d}-{value.inner.month:02d}-{value.inner.day:02d}"
    if isinstance(value.inner, dt.datetime):
        return date_text + "T" + time_text(value.inner.timetz())
    return date_text
