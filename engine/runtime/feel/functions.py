"""The FEEL built-in functions this engine offers, and the date, time and number texts they read."""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from engine.runtime.feel.values import (
    FeelDuration,
    is_number,
    limited,
    num,
    number_arithmetic,
    ordering,
    parse_duration,
    plain,
    show,
)
from engine.runtime.parsing import Problem, clip

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_DATE_TIME = re.compile(
    r"^(?P<moment>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)"
    r"(?:(?P<offset>Z|[+-]\d{2}:\d{2})|@(?P<zone>[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+){0,2}))?$"
)
NUMBER_TEXT = re.compile(r"^-?\d{1,31}(?:\.\d{1,34})?$")


def parse_date(text: str) -> dt.date:
    match = _ISO_DATE.match(text)
    try:
        if match is None:
            raise ValueError
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise Problem(f"»{clip(text)}« ist kein gültiges Datum (JJJJ-MM-TT, z. B. 2025-01-31).") from None


def parse_date_time(text: str) -> dt.datetime:
    match = _ISO_DATE_TIME.match(text)
    problem = Problem(f"»{clip(text)}« ist kein gültiger Zeitpunkt (z. B. 2025-01-31T10:00:00, "
                      "optional mit Z, +01:00 oder @Europe/Berlin).")
    if match is None:
        raise problem
    moment = match["moment"]
    if "." in moment:
        head, fraction = moment.split(".")
        moment = f"{head}.{fraction[:6].ljust(6, '0')}"
    try:
        value = dt.datetime.fromisoformat(moment + (match["offset"] or "").replace("Z", "+00:00"))
        if match["zone"]:
            value = value.replace(tzinfo=ZoneInfo(match["zone"]))
    except Exception:
        raise problem from None
    return value


def _date(args: list[Any]) -> Any:
    if len(args) == 2:
        raise Problem("Die Funktion date() erwartet ein oder drei Argumente.")
    if len(args) == 3:
        if not all(is_number(arg) and num(arg) == int(num(arg)) for arg in args):
            return None
        try:
            year, month, day = (int(num(arg)) for arg in args)
            return dt.date(year, month, day)
        except (ValueError, OverflowError):
            raise Problem(f"date({', '.join(show(arg) for arg in args)}) ist kein gültiges Datum.") from None
    value = args[0]
    if isinstance(value, str):
        return parse_date(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def _date_and_time(args: list[Any]) -> Any:
    value = args[0]
    if isinstance(value, str):
        return parse_date_time(value)
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return None


def _duration_of(args: list[Any]) -> Any:
    value = args[0]
    if isinstance(value, str):
        return parse_duration(value)
    return value if isinstance(value, FeelDuration) else None


def _not(args: list[Any]) -> Any:
    return not args[0] if isinstance(args[0], bool) else None


def _rounded(args: list[Any], rounding: str | None) -> Any:
    if not is_number(args[0]):
        return None
    value = num(args[0])
    if rounding is None:
        return abs(value) if isinstance(value, int) else value.copy_abs()
    if isinstance(value, int):
        return value
    return int(value.to_integral_value(rounding=rounding))


def _items(args: list[Any]) -> list[Any] | None:
    if len(args) == 1 and isinstance(args[0], list | tuple):
        return list(args[0])
    return None if len(args) == 1 and args[0] is None else list(args)


def _extreme(args: list[Any], sign: int) -> Any:
    items = _items(args)
    if not items:
        return None
    best = items[0]
    for item in items[1:]:
        order = ordering(item, best)
        if order is None:
            return None
        if order == sign:
            best = item
    return None if ordering(best, best) is None else best


def _sum(args: list[Any]) -> Any:
    items = _items(args)
    if not items or not all(is_number(item) for item in items):
        return None
    total: Any = 0
    for item in items:
        total = number_arithmetic("+", total, num(item))
    return total


def _count(args: list[Any]) -> Any:
    return len(args[0]) if isinstance(args[0], list | tuple) else None


def _text(args: list[Any], operation: Callable[..., Any]) -> Any:
    if not all(isinstance(arg, str) for arg in args):
        return None
    return operation(*args)


def string_value(args: list[Any]) -> Any:
    value = args[0]
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        number = num(value)
        return str(number) if isinstance(number, int) else plain(number)
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date | FeelDuration):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return None


def _number(args: list[Any]) -> Any:
    value = args[0]
    if is_number(value):
        return num(value)
    if isinstance(value, str) and NUMBER_TEXT.match(value.strip()):
        text = value.strip()
        return limited(Decimal(text) if "." in text else int(text))
    return None


BUILTINS: dict[str, Callable[[list[Any]], Any]] = {
    "date": _date,
    "date and time": _date_and_time,
    "duration": _duration_of,
    "not": _not,
    "abs": lambda args: _rounded(args, None),
    "floor": lambda args: _rounded(args, decimal.ROUND_FLOOR),
    "ceiling": lambda args: _rounded(args, decimal.ROUND_CEILING),
    "min": lambda args: _extreme(args, -1),
    "max": lambda args: _extreme(args, 1),
    "sum": _sum,
    "count": _count,
    "string length": lambda args: _text(args, len),
    "upper case": lambda args: _text(args, str.upper),
    "lower case": lambda args: _text(args, str.lower),
    "contains": lambda args: _text(args, lambda text, part: part in text),
    "starts with": lambda args: _text(args, str.startswith),
    "ends with": lambda args: _text(args, str.endswith),
    "string": string_value,
    "number": _number,
}


