"""The values of gateway expressions: Python semantics with German messages and limits on size."""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Callable, Mapping
from typing import Any

from engine.runtime.expressions.syntax import Attribute, Call, Const, Name, Node, Subscript
from engine.runtime.parsing import MAX_NUMBER, Problem, clip

_MAX_LENGTH = 10_000
_MAX_EXPONENT = 64
_MAX_POWER_BASE = 10**6

_TOO_LARGE = "Das Ergebnis ist zu groß (höchstens 10^30)."
_TOO_LONG = f"Text oder Liste würde zu lang (höchstens {_MAX_LENGTH} Zeichen bzw. Elemente)."


def _is_number(value: Any) -> bool:
    # Booleans are ints in Python, but `true + 1` is almost certainly a mistake in a diagram.
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_SEQUENCES = (str, list, tuple)
_CONTAINERS = (str, list, tuple, Mapping, set, frozenset)
_DATE_FIELDS = frozenset({"year", "month", "day"})
_DATETIME_FIELDS = _DATE_FIELDS | {"hour", "minute"}


def _type_name(value: Any, article: bool = False) -> str:
    """German name of the value's type for messages, optionally with the indefinite article."""
    if value is None:
        return "null"
    kinds: tuple[tuple[type | tuple[type, ...], str, str], ...] = (
        (bool, "ein", "Wahrheitswert"),
        ((int, float), "eine", "Zahl"),
        (str, "ein", "Text"),
        (dt.datetime, "ein", "Zeitpunkt"),
        (dt.date, "ein", "Datum"),
        (dt.timedelta, "eine", "Zeitspanne"),
        (list, "eine", "Liste"),
        (tuple, "ein", "Tupel"),
        (Mapping, "ein", "Datensatz"),
    )
    for kind, indefinite, name in kinds:
        if isinstance(value, kind):
            return f"{indefinite} {name}" if article else name
    name = f"Wert vom Typ {type(value).__name__}"
    return f"ein {name}" if article else name


def _show(value: Any) -> str:
    return clip(repr(value))


def _describe(node: Node) -> str:
    """The expression text a user would recognise for a value, e.g. `schritt.faellig`."""
    match node:
        case Name(name):
            return name
        case Attribute(target, attr):
            return f"{_describe(target)}.{attr}"
        case Subscript(target, Const(value)):
            return f"{_describe(target)}[{_show(value)}]"
        case Subscript(target, _):
            return f"{_describe(target)}[…]"
        case Call(function, _):
            return f"{function}(…)"
        case Const(value):
            return _show(value)
        case _:
            return "…"


def _check_length(length: int) -> None:
    if length > _MAX_LENGTH:
        raise Problem(_TOO_LONG)


def _limited(value: Any) -> Any:
    if _is_count(value) and abs(value) > MAX_NUMBER:
        raise Problem(_TOO_LARGE)
    if isinstance(value, float) and not math.isfinite(value):
        raise Problem(_TOO_LARGE)
    if isinstance(value, _SEQUENCES):
        _check_length(len(value))
    return value


def member(value: Any, attr: str, node: Node) -> Any:
    if isinstance(value, Mapping):
        if attr in value:
            return value[attr]
        raise Problem(f"'{_describe(node)}' hat kein Feld '{attr}'.")
    if isinstance(value, dt.datetime):
        allowed = _DATETIME_FIELDS
    elif isinstance(value, dt.date):
        allowed = _DATE_FIELDS
    else:
        raise Problem(f"'{_describe(node)}' ist {_type_name(value, article=True)} "
                      f"und hat kein Feld '{attr}'.")
    if attr not in allowed:
        raise Problem(f"Bei {_type_name(value, article=True)} lassen sich nur die Felder "
                      f"{', '.join(sorted(allowed))} abfragen, nicht '{attr}'.")
    return getattr(value, attr)


def item(value: Any, index: Any, node: Node) -> Any:
    if isinstance(value, Mapping):
        try:
            found = index in value
        except TypeError:
            key = _type_name(index, article=True).capitalize()
            raise Problem(f"{key} taugt nicht als Schlüssel.") from None
        if not found:
            raise Problem(f"'{_describe(node)}' hat kein Feld {_show(index)}.")
        return value[index]
    if isinstance(value, _SEQUENCES):
        if not _is_count(index):
            raise Problem(f"Der Index für '{_describe(node)}' muss eine ganze Zahl sein, "
                          f"nicht {_type_name(index, article=True)}.")
        if -len(value) <= index < len(value):
            return value[index]
        raise Problem(f"Index {index} liegt außerhalb von '{_describe(node)}' (Länge {len(value)}).")
    raise Problem(f"'{_describe(node)}' ist {_type_name(value, article=True)} und lässt sich nicht "
                  "mit [...] abfragen.")


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, _CONTAINERS):
        return len(value) == 0
    return False


def unary(op: str, value: Any) -> Any:
    if op == "not":
        return not value
    if op == "empty":
        return _is_empty(value)
    if _is_number(value) or isinstance(value, dt.timedelta):
        try:
            return _limited(-value if op == "-" else +value)
        except OverflowError:
            raise Problem(_TOO_LARGE) from None
    raise Problem(f"Das Vorzeichen '{op}' passt nicht zu {_type_name(value, article=True)}.")


# Returned by an arithmetic helper when the operand types do not fit the operator.
_UNSUPPORTED: Any = object()


def _same_time_kind(left: dt.date, right: dt.date) -> None:
    # Python raises TypeError with an English text for these mixes; process owners get a German sentence.
    if isinstance(left, dt.datetime) != isinstance(right, dt.datetime):
        raise Problem("Ein Datum und ein Zeitpunkt (mit Uhrzeit) lassen sich nicht miteinander verrechnen "
                      "oder vergleichen.")
    if (
        isinstance(left, dt.datetime)
        and isinstance(right, dt.datetime)
        and (left.utcoffset() is None) != (right.utcoffset() is None)
    ):
        raise Problem("Zeitpunkte mit und ohne Zeitzone lassen sich nicht miteinander verrechnen "
                      "oder vergleichen.")


def _add(left: Any, right: Any) -> Any:
    if _is_number(left) and _is_number(right):
        return left + right
    if any(isinstance(left, kind) and isinstance(right, kind) for kind in _SEQUENCES):
        # Checked before concatenating, so that no oversized object is ever built.
        _check_length(len(left) + len(right))
        return left + right
    if isinstance(left, dt.date | dt.timedelta) and isinstance(right, dt.timedelta):
        return left + right
    if isinstance(left, dt.timedelta) and isinstance(right, dt.date):
        return left + right
    return _UNSUPPORTED


def _subtract(left: Any, right: Any) -> Any:
    if _is_number(left) and _is_number(right):
        return left - right
    if isinstance(left, dt.date | dt.timedelta) and isinstance(right, dt.timedelta):
        return left - right
    if isinstance(left, dt.date) and isinstance(right, dt.date):
        _same_time_kind(left, right)
        return left - right
    return _UNSUPPORTED


def _multiply(left: Any, right: Any) -> Any:
    if _is_number(left) and _is_number(right):
        return left * right
    if _is_count(left) and isinstance(right, _SEQUENCES):
        left, right = right, left
    if isinstance(left, _SEQUENCES) and _is_count(right):
        # Checked before repeating: 'a' * 10**9 must fail without allocating a gigabyte.
        _check_length(len(left) * max(right, 0))
        return left * right
    if isinstance(left, dt.timedelta) and _is_number(right):
        return left * right
    if _is_number(left) and isinstance(right, dt.timedelta):
        return left * right
    return _UNSUPPORTED


def _divide(left: Any, right: Any) -> Any:
    if _is_number(left) and _is_number(right):
        return left / right
    if isinstance(left, dt.timedelta) and (_is_number(right) or isinstance(right, dt.timedelta)):
        return left / right
    return _UNSUPPORTED


def _floor_divide(left: Any, right: Any) -> Any:
    if _is_number(left) and _is_number(right):
        return left // right
    if isinstance(left, dt.timedelta) and (_is_count(right) or isinstance(right, dt.timedelta)):
        return left // right
    return _UNSUPPORTED


def _modulo(left: Any, right: Any) -> Any:
    # Numbers only: on text, `%` is printf formatting, and '%*d' with a huge width would allocate gigabytes.
    if _is_number(left) and _is_number(right):
        return left % right
    return _UNSUPPORTED


def _power(left: Any, right: Any) -> Any:
    if not (_is_number(left) and _is_number(right)):
        return _UNSUPPORTED
    # Bounding both operands before computing keeps 9**9**9 from running for minutes.
    if not _is_count(right) or not 0 <= right <= _MAX_EXPONENT:
        raise Problem(f"Die Hochzahl bei '**' muss eine ganze Zahl von 0 bis {_MAX_EXPONENT} sein.")
    if abs(left) > _MAX_POWER_BASE:
        raise Problem(f"Die Basis bei '**' darf höchstens {_MAX_POWER_BASE} betragen.")
    return left**right


_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": _add,
    "-": _subtract,
    "*": _multiply,
    "/": _divide,
    "//": _floor_divide,
    "%": _modulo,
    "**": _power,
}


def arithmetic(op: str, left: Any, right: Any) -> Any:
    try:
        result = _ARITHMETIC[op](left, right)
    except ZeroDivisionError:
        raise Problem("Division durch null.") from None
    except OverflowError:
        raise Problem(_TOO_LARGE) from None
    if result is _UNSUPPORTED:
        raise Problem(f"Der Operator '{op}' passt nicht zu {_type_name(left)} und {_type_name(right)}.")
    return _limited(result)


_ORDERINGS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}


def _check_orderable(op: str, left: Any, right: Any) -> None:
    if _is_number(left) and _is_number(right):
        return
    for kind in (str, dt.timedelta, list, tuple):
        if isinstance(left, kind) and isinstance(right, kind):
            return
    if isinstance(left, dt.date) and isinstance(right, dt.date):
        _same_time_kind(left, right)
        return
    raise Problem(f"{_type_name(left)} und {_type_name(right)} lassen sich nicht mit '{op}' vergleichen.")


def _contains(container: Any, item: Any) -> bool:
    if isinstance(container, str):
        if not isinstance(item, str):
            raise Problem(f"'in' prüft in einem Text nur Texte, nicht {_type_name(item, article=True)}.")
        return item in container
    if isinstance(container, _CONTAINERS):
        try:
            return item in container
        except TypeError:
            raise Problem(f"{_type_name(item, article=True).capitalize()} lässt sich nicht in "
                          f"{_type_name(container, article=True)} suchen.") from None
    raise Problem(f"'in' erwartet rechts eine Liste, einen Datensatz oder einen Text, "
                  f"nicht {_type_name(container, article=True)}.")


def compare(op: str, left: Any, right: Any) -> bool:
    if op == "==":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if op == "in":
        return _contains(right, left)
    if op == "not in":
        return not _contains(right, left)
    if op == "is":
        return left is right
    if op == "is not":
        return left is not right
    _check_orderable(op, left, right)
    try:
        return bool(_ORDERINGS[op](left, right))
    except TypeError:
        # Lists of mixed element types, e.g. [1, 'a'] < [1, 2].
        raise Problem(f"Die Werte lassen sich nicht mit '{op}' vergleichen: {_show(left)} und "
                      f"{_show(right)}.") from None
