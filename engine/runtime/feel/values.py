"""FEEL values: durations, exact numbers, ordering and equality with null, arithmetic, values going out."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from engine.runtime.durations import read_iso_duration
from engine.runtime.parsing import MAX_NUMBER, Problem, clip

_MAX_TEXT = 10_000
_MAX_DURATION_MONTHS = 12 * 10_000
_MAX_DURATION_SECONDS = 10_000 * 366 * 86_400
_TOO_LARGE = "Die Zahl ist zu groß (höchstens 10^30)."
_CONTEXT = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=999,
    Emin=-999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


@dataclass(frozen=True)
class FeelDuration:
    """A FEEL duration: calendar months (years included) and exact seconds, each signed.

    P1Y equals P12M; a pure months duration and a pure seconds duration cannot be ordered against
    each other (null), as in FEEL.
    """

    months: int = 0
    seconds: Decimal = Decimal(0)

    def __str__(self) -> str:
        if self.months == 0 and self.seconds == 0:
            return "PT0S"
        negative = self.months < 0 or self.seconds < 0
        months, seconds = abs(self.months), abs(self.seconds)
        text = "-P" if negative else "P"
        if months // 12:
            text += f"{months // 12}Y"
        if months % 12:
            text += f"{months % 12}M"
        days, rest = divmod(seconds, 86_400)
        if days:
            text += f"{int(days)}D"
        if rest:
            hours, rest = divmod(rest, 3600)
            minutes, rest = divmod(rest, 60)
            text += "T"
            if hours:
                text += f"{int(hours)}H"
            if minutes:
                text += f"{int(minutes)}M"
            if rest:
                text += f"{plain(rest)}S"
        return text

    def delta(self) -> relativedelta:
        """The duration as a dateutil delta (months as calendar months)."""
        days, rest = divmod(self.seconds, 86_400)
        return relativedelta(months=self.months, days=int(days), seconds=int(rest),
                             microseconds=int(rest % 1 * 1_000_000))


# As many digits as FEEL reads per number: years, months, weeks, days, hours, minutes, seconds, decimals.
_DURATION_DIGITS = (6, 6, 6, 7, 8, 9, 10, 9)


def parse_duration(text: str) -> FeelDuration:
    parts = read_iso_duration(text, digits=_DURATION_DIGITS)
    if parts is None:
        raise Problem(f"»{clip(text)}« ist keine ISO-8601-Dauer (z. B. P6M, P14D, PT2H).")
    months = parts.years * 12 + parts.months
    seconds = parts.seconds + ((parts.weeks * 7 + parts.days) * 86_400 + parts.hours * 3600 + parts.minutes * 60)
    if months > _MAX_DURATION_MONTHS or seconds > _MAX_DURATION_SECONDS:
        raise Problem(f"Die Dauer »{clip(text)}« ist zu groß (höchstens 10.000 Jahre).")
    if parts.negative:
        return FeelDuration(-months, -seconds)
    return FeelDuration(months, seconds)


def is_number(value: object) -> bool:
    # Booleans are ints in Python, but FEEL keeps them apart.
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def num(value: Any) -> int | Decimal:
    """A number in FEEL form: int or finite Decimal (floats by their shortest decimal text)."""
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise Problem("Eine Zahl ist nicht endlich (NaN oder unendlich).")
        return Decimal(repr(value))
    if isinstance(value, Decimal) and value.is_finite():
        return value
    raise Problem("Eine Zahl ist nicht endlich (NaN oder unendlich).")


def limited(value: int | Decimal) -> int | Decimal:
    if value > MAX_NUMBER or value < -MAX_NUMBER:
        raise Problem(_TOO_LARGE)
    return value


def kind_of(value: object) -> str:
    """The FEEL type of a value for comparisons; values of different kinds never compare."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dt.datetime):
        return "local date and time" if value.utcoffset() is None else "date and time"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, FeelDuration):
        return "duration"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, Mapping):
        return "context"
    return "other"


TYPE_NAMES = {
    "null": "null", "boolean": "ein Wahrheitswert", "number": "eine Zahl", "string": "ein Text",
    "date": "ein Datum", "date and time": "ein Zeitpunkt", "local date and time": "ein Zeitpunkt ohne Zeitzone",
    "duration": "eine Dauer", "list": "eine Liste", "context": "ein Datensatz", "other": "ein unbekannter Wert",
}  # fmt: skip


def ordering(left: Any, right: Any) -> int | None:
    """-1, 0 or 1; None when FEEL cannot order the two values (null, or different kinds)."""
    kind = kind_of(left)
    if kind != kind_of(right):
        return None
    a: Any
    b: Any
    if kind == "number":
        a, b = num(left), num(right)
    elif kind in ("string", "date", "date and time", "local date and time"):
        a, b = left, right
    elif kind == "duration":
        if left.months == 0 and right.months == 0:
            a, b = left.seconds, right.seconds
        elif left.seconds == 0 and right.seconds == 0:
            a, b = left.months, right.months
        else:
            return None
    else:
        return None
    return -1 if a < b else 1 if a > b else 0


def equal(left: Any, right: Any) -> bool | None:
    """FEEL equality: null equals only null; values of different kinds give null."""
    if left is None or right is None:
        return left is None and right is None
    kind = kind_of(left)
    if kind != kind_of(right):
        return None
    if kind == "boolean":
        return bool(left == right)
    if kind == "list":
        if len(left) != len(right):
            return False
        return all_of([equal(a, b) for a, b in zip(left, right, strict=True)])
    if kind == "context":
        if set(left) != set(right):
            return False
        return all_of([equal(left[key], right[key]) for key in left])
    if kind == "other":
        return None
    order = ordering(left, right)
    if order is None:
        # Durations of different kinds (P1M and P30D) are simply not equal.
        return bool(left == right) if kind == "duration" else None
    return order == 0


def all_of(values: Sequence[bool | None]) -> bool | None:
    if any(value is False for value in values):
        return False
    return None if any(value is None for value in values) else True


def any_of(values: Sequence[bool | None]) -> bool | None:
    if any(value is True for value in values):
        return True
    return None if any(value is None for value in values) else False


def plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text


def outbound(value: Any) -> Any:
    """A FEEL value as Python code expects it: whole numbers int, others float; containers converted."""
    if isinstance(value, Decimal):
        if value.is_finite() and abs(value) <= MAX_NUMBER and value == value.to_integral_value():
            return int(value)
        return float(value)
    if isinstance(value, list | tuple):
        return [outbound(item) for item in value]
    if isinstance(value, Mapping):
        return {key: outbound(item) for key, item in value.items()}
    return value


def show(value: object) -> str:
    try:
        text = repr(outbound(value))
    except Exception:
        text = f"ein Wert vom Typ {type(value).__name__}"
    return clip(text)


def arithmetic(op: str, left: Any, right: Any) -> Any:
    if left is None or right is None:
        return None
    if is_number(left) and is_number(right):
        return number_arithmetic(op, num(left), num(right))
    if op == "+" and isinstance(left, str) and isinstance(right, str):
        if len(left) + len(right) > _MAX_TEXT:
            raise Problem(f"Der Text würde zu lang (höchstens {_MAX_TEXT} Zeichen).")
        return left + right
    if op in ("+", "-") and isinstance(left, dt.date) and isinstance(right, FeelDuration):
        return shift(left, right if op == "+" else FeelDuration(-right.months, -right.seconds))
    if op == "+" and isinstance(left, FeelDuration) and isinstance(right, dt.date):
        return shift(right, left)
    if op in ("+", "-") and isinstance(left, FeelDuration) and isinstance(right, FeelDuration):
        sign = 1 if op == "+" else -1
        return bounded_duration(left.months + sign * right.months, left.seconds + sign * right.seconds)
    if op == "-" and isinstance(left, dt.date) and isinstance(right, dt.date):
        if kind_of(left) != kind_of(right):
            return None
        if isinstance(left, dt.datetime) and isinstance(right, dt.datetime):
            difference = left - right
            return bounded_duration(0, Decimal(difference.days * 86_400 + difference.seconds)
                                    + Decimal(difference.microseconds) / 1_000_000)
        return bounded_duration(0, Decimal((left - right).days * 86_400))
    # Anything else (text minus number, date plus number, ...) is null in FEEL.
    return None


def number_arithmetic(op: str, left: int | Decimal, right: int | Decimal) -> int | Decimal | None:
    try:
        if isinstance(left, int) and isinstance(right, int) and op != "/":
            result: int | Decimal = left + right if op == "+" else left - right if op == "-" else left * right
            return limited(result)
        a, b = Decimal(left), Decimal(right)
        if op == "+":
            return limited(_CONTEXT.add(a, b))
        if op == "-":
            return limited(_CONTEXT.subtract(a, b))
        if op == "*":
            return limited(_CONTEXT.multiply(a, b))
        if b == 0:
            return None  # FEEL: division by zero is null
        return limited(_CONTEXT.divide(a, b))
    except (decimal.Overflow, decimal.InvalidOperation, decimal.DivisionByZero):
        raise Problem(_TOO_LARGE) from None


def bounded_duration(months: int, seconds: Decimal) -> FeelDuration:
    if abs(months) > _MAX_DURATION_MONTHS or abs(seconds) > _MAX_DURATION_SECONDS:
        raise Problem("Die Dauer ist zu groß (höchstens 10.000 Jahre).")
    return FeelDuration(months, seconds)


def shift(moment: dt.date, duration: FeelDuration) -> dt.date | None:
    """Calendar arithmetic: months first (clamped to the month end, as Java does), then exact seconds."""
    try:
        if isinstance(moment, dt.datetime):
            return moment + relativedelta(months=duration.months) + dt.timedelta(seconds=float(duration.seconds))
        days, rest = divmod(duration.seconds, 86_400)
        if rest:
            return None  # a date plus hours is null in FEEL
        return moment + relativedelta(months=duration.months, days=int(days))
    except (OverflowError, ValueError):
        raise Problem("Das Ergebnis liegt außerhalb des Kalenders.") from None


