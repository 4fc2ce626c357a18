"""The FEEL built-in functions of DMN 1.5 (chapter 10.3.4) with their parameter names for named arguments.

Each function takes its arguments as a list (named arguments are put in parameter order by the
caller) and returns null for arguments it is not defined for, as the specification says. Regular
expressions (`matches`, `replace`, `split`) use Python's `re` with XPath's flags; patterns are size
limited and nested quantifiers refused (`library_regex`).
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import regex

from engine.runtime.feel.standard import far, temporal
from engine.runtime.feel.standard.library_lists import LIST_FUNCTIONS
from engine.runtime.feel.standard.library_ranges import RANGE_FUNCTIONS
from engine.runtime.feel.standard.library_regex import compile_pattern, timed
from engine.runtime.feel.standard.values import (
    CONTEXT,
    DaysTime,
    Function,
    YearsMonths,
    checked_text,
    type_name,
)

_Impl = Callable[..., Any]
_ABSENT: Any = object()


def _integer(value: Any) -> int | None:
    """A whole-number argument (positions, lengths, scales); decimals are cut to their whole part."""
    if isinstance(value, Decimal) and value.is_finite():
        return int(value)
    return None


def _strings(*values: Any) -> bool:
    return all(isinstance(value, str) for value in values)


# ------------------------------------------------------------------ conversion


def _date(*args: Any) -> Any:
    if len(args) == 3:
        year, month, day = (_integer(arg) for arg in args)
        if year is None or month is None or day is None:
            return None
        try:
            return far.make(year, month, day)
        except ValueError:
            return None
    value = args[0]
    if isinstance(value, str):
        return temporal.parse_date(value)
    if isinstance(value, far.FarMoment):
        inner = value.inner.date() if isinstance(value.inner, dt.datetime) else value.inner
        return far.FarMoment(inner, value.shift)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def _date_and_time(*args: Any) -> Any:
    if len(args) == 2:
        day, moment = args
        if isinstance(day, dt.date) and isinstance(moment, dt.time):
            base = day.date() if isinstance(day, dt.datetime) else day
            return dt.datetime.combine(base, moment)
        return None
    value = args[0]
    if isinstance(value, str):
        return temporal.parse_date_time(value)
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return None


def _time(*args: Any) -> Any:
    if len(args) >= 3:
        hour, minute = _integer(args[0]), _integer(args[1])
        second = args[2]
        if hour is None or minute is None or not isinstance(second, Decimal):
            return None
        zone: dt.tzinfo | None = None
        if len(args) == 4 and args[3] is not None:
            if not isinstance(args[3], DaysTime):
                return None
            zone = dt.timezone(args[3].delta())
        try:
            whole = int(second)
            micro = int((second - whole) * 1_000_000)
            return dt.time(hour, minute, whole, micro, tzinfo=zone)
        except ValueError:
            return None
    value = args[0]
    if isinstance(value, str):
        return temporal.parse_time(value)
    if isinstance(value, dt.datetime):
        return value.timetz()
    if isinstance(value, dt.date):
        return dt.time(0, 0, tzinfo=dt.UTC)
    if isinstance(value, dt.time):
        return value
    return None


def _duration(value: Any) -> Any:
    return temporal.parse_duration(value) if isinstance(value, str) else None


def _calendar_day(value: Any) -> tuple[int, int, int] | None:
    if isinstance(value, far.FarMoment):
        return value.year, value.inner.month, value.inner.day
    if isinstance(value, dt.date):
        return value.year, value.month, value.day
    return None


def _years_and_months(start: Any, end: Any) -> Any:
    a, b = _calendar_day(start), _calendar_day(end)
    if a is None or b is None:
        return None
    months = (b[0] - a[0]) * 12 + (b[1] - a[1])
    if months > 0 and b[2] < a[2]:
        months -= 1
    elif months < 0 and b[2] > a[2]:
        months += 1
    return YearsMonths(months)


def _number(text: Any, grouping: Any = None, decimal_sep: Any = None) -> Any:
    if not isinstance(text, str):
        return None
    if grouping not in (None, " ", ",", ".") or decimal_sep not in (None, ".", ","):
        return None
    if grouping is not None and grouping == decimal_sep:
        return None
    if grouping:
        text = text.replace(grouping, "")
    if decimal_sep:
        text = text.replace(decimal_sep, ".")
    if not re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text) or len(text) > 100:
        return None
    return CONTEXT.plus(Decimal(text))


def string_of(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        normal = value.normalize(CONTEXT)
        return format(normal, "f") if normal != 0 else "0"
    if isinstance(value, str):
        return value
    text = temporal.text_of(value)
    if text is not None:
        return text
    if isinstance(value, list):
        return "[" + ", ".join(_shown(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_shown(item)}" for key, item in value.items()) + "}"
    return None


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value + '"'
    text = string_of(value)
    return "null" if text is None else text


# ------------------------------------------------------------------ strings


def _substring(text: Any, start: Any, length: Any = None) -> Any:
    position = _integer(start)
    if not isinstance(text, str) or position is None or position == 0:
        return None
    chars = list(text)  # code points
    begin = position - 1 if position > 0 else len(chars) + position
    if begin < 0 or begin > len(chars):
        return None if begin < 0 else ""
    if length is None:
        return "".join(chars[begin:])
    count = _integer(length)
    if count is None or count < 0:
        return None
    return "".join(chars[begin:begin + count])


def _pattern(pattern: Any, flags: Any) -> regex.Pattern[str] | None:
    return compile_pattern(pattern, flags)


def _matches(text: Any, pattern: Any, flags: Any = None) -> Any:
    compiled = _pattern(pattern, flags)
    if compiled is None or not isinstance(text, str):
        return None
    return timed(compiled.search, text) is not None


def _replace(text: Any, pattern: Any, replacement: Any, flags: Any = None) -> Any:
    compiled = _pattern(pattern, flags)
    if compiled is None or not _strings(text, replacement):
        return None
    if timed(compiled.match, ""):
        return None  # XPath: a pattern matching the empty string is an error
    template = re.sub(r"\\", r"\\\\", replacement)
    template = re.sub(r"\$(\d+)", r"\\g<\1>", template)
    try:
        return checked_text(timed(compiled.sub, template, text))
    except (re.error, regex.error, IndexError):
        return None


def _split(text: Any, delimiter: Any) -> Any:
    compiled = _pattern(delimiter, None)
    if compiled is None or not isinstance(text, str):
        return None
    return timed(compiled.split, text)


def _string_join(items: Any, delimiter: Any = None, prefix: Any = _ABSENT, suffix: Any = _ABSENT) -> Any:
    if (prefix is _ABSENT) != (suffix is _ABSENT):
        return None  # with a prefix, a suffix too (DMN 1.5 has the forms with 1, 2 and 4 parameters)
    prefix, suffix = (None, None) if prefix is _ABSENT else (prefix, suffix)
    if isinstance(items, str):
        items = [items]
    if not isinstance(items, list) or not all(item is None or isinstance(item, str) for item in items):
        return None
    if any(part is not None and not isinstance(part, str) for part in (delimiter, prefix, suffix)):
        return None
    joined = (delimiter or "").join(item for item in items if item is not None)
    return checked_text((prefix or "") + joined + (suffix or ""))


def _text(function: Callable[..., Any]) -> _Impl:
    def run(*args: Any) -> Any:
        # A list of one text stands for the text (DMN 1.5 singleton conversion of arguments).
        args = tuple(arg[0] if isinstance(arg, list) and len(arg) == 1 else arg for arg in args)
        return function(*args) if _strings(*args) else None
    return run


# ------------------------------------------------------------------ numbers


def _scaled(rounding: str) -> _Impl:
    def run(number: Any, scale: Any = Decimal(0)) -> Any:
        places = _integer(scale)
        if not isinstance(number, Decimal) or places is None or not -6111 <= places <= 6176:
            return None
        try:
            return number.quantize(Decimal(1).scaleb(-places), rounding=rounding, context=CONTEXT)
        except decimal.InvalidOperation:
            return number if places > 0 else None  # more places than 34 digits hold: the number as it is
    return run


def _modulo(dividend: Any, divisor: Any) -> Any:
    if not isinstance(dividend, Decimal) or not isinstance(divisor, Decimal) or divisor == 0:
        return None
    return CONTEXT.subtract(dividend, CONTEXT.multiply(divisor, CONTEXT.divide_int(dividend, divisor)
                                                        if (dividend < 0) == (divisor < 0) else
                                                        (dividend / divisor).to_integral_value(decimal.ROUND_FLOOR)))


def _sqrt(number: Any) -> Any:
    if not isinstance(number, Decimal) or number < 0:
        return None
    return CONTEXT.sqrt(number)


def _log(number: Any) -> Any:
    if not isinstance(number, Decimal) or number <= 0:
        return None
    return CONTEXT.ln(number)


def _exp(number: Any) -> Any:
    return CONTEXT.exp(number) if isinstance(number, Decimal) else None


def _parity(remainder: int) -> _Impl:
    def run(number: Any) -> Any:
        whole = _integer(number)
        return None if whole is None else whole % 2 == remainder
    return run


def _abs(value: Any) -> Any:
    if isinstance(value, Decimal):
        return abs(value)
    if isinstance(value, YearsMonths):
        return YearsMonths(abs(value.months))
    if isinstance(value, DaysTime):
        return DaysTime(abs(value.seconds))
    return None


# ------------------------------------------------------------------ dates


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December")


def _day(function: Callable[[dt.date], Any]) -> _Impl:
    return lambda value: function(value) if isinstance(value, dt.date) else None


def _is(left: Any, right: Any) -> Any:
    if type_name(left) != type_name(right):
        return False
    if isinstance(left, dt.time | dt.datetime):
        return left == right and left.utcoffset() == right.utcoffset() and str(left.tzinfo) == str(right.tzinfo)
    from engine.runtime.feel.standard.values import equal

    return equal(left, right) is True


# ------------------------------------------------------------------ contexts


def _get_value(context: Any, key: Any) -> Any:
    if isinstance(context, dict) and isinstance(key, str):
        return context.get(key)
    if isinstance(context, dict) and isinstance(key, list) and all(isinstance(part, str) for part in key):
        value: Any = context
        for part in key:
            value = value.get(part) if isinstance(value, dict) else None
        return value
    return None


def _get_entries(context: Any) -> Any:
    if not isinstance(context, dict):
        return None
    return [{"key": key, "value": value} for key, value in context.items()]


def _context_put(context: Any, key: Any, value: Any) -> Any:
    if not isinstance(context, dict):
        return None
    if isinstance(key, str):
        return {**context, key: value}
    if isinstance(key, list) and key and all(isinstance(part, str) for part in key):
        if len(key) == 1:
            return {**context, key[0]: value}
        inner = context.get(key[0])
        if not isinstance(inner, dict):
            return None
        nested = _context_put(inner, key[1:], value)
        return None if nested is None else {**context, key[0]: nested}
    return None


def _context(entries: Any) -> Any:
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list):
        return None
    result: dict[str, Any] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("key"), str) or "value" not in entry:
            return None
        if entry["key"] in result:
            return None
        result[entry["key"]] = entry["value"]
    return result


def _context_merge(contexts: Any) -> Any:
    if isinstance(contexts, dict):
        contexts = [contexts]
    if not isinstance(contexts, list) or not all(isinstance(item, dict) for item in contexts):
        return None
    result: dict[str, Any] = {}
    for item in contexts:
        result.update(item)
    return result


# name -> (parameter names, fewest arguments, implementation); "..." as last parameter: variadic.
_SCALAR: dict[str, tuple[tuple[str, ...], int, _Impl]] = {
    "date": (("from",), 1, _date),
    "date and time": (("from",), 1, _date_and_time),
    "time": (("from",), 1, _time),
    "number": (("from", "grouping separator", "decimal separator"), 3, _number),
    "string": (("from",), 1, string_of),
    "duration": (("from",), 1, _duration),
    "years and months duration": (("from", "to"), 2, _years_and_months),
    "not": (("negand",), 1, lambda value: (not value) if isinstance(value, bool) else None),
    "substring": (("string", "start position", "length"), 2, _substring),
    "string length": (("string",), 1, lambda text: Decimal(len(text)) if isinstance(text, str) else None),
    "upper case": (("string",), 1, _text(str.upper)),
    "lower case": (("string",), 1, _text(str.lower)),
    "substring before": (("string", "match"), 2, _text(lambda text, match: text.partition(match)[0]
                                                        if match and match in text else "")),
    "substring after": (("string", "match"), 2, _text(lambda text, match: text if not match else
                                                       text.partition(match)[2] if match in text else "")),
    "replace": (("input", "pattern", "replacement", "flags"), 3, _replace),
    "contains": (("string", "match"), 2, _text(lambda text, match: match in text)),
    "starts with": (("string", "match"), 2, _text(str.startswith)),
    "ends with": (("string", "match"), 2, _text(str.endswith)),
    "matches": (("input", "pattern", "flags"), 2, _matches),
    "split": (("string", "delimiter"), 2, _split),
    "string join": (("list", "delimiter", "prefix", "suffix"), 1, _string_join),
    "decimal": (("n", "scale"), 2, _scaled(decimal.ROUND_HALF_EVEN)),
    "floor": (("n", "scale"), 1, _scaled(decimal.ROUND_FLOOR)),
    "ceiling": (("n", "scale"), 1, _scaled(decimal.ROUND_CEILING)),
    "round up": (("n", "scale"), 2, _scaled(decimal.ROUND_UP)),
    "round down": (("n", "scale"), 2, _scaled(decimal.ROUND_DOWN)),
    "round half up": (("n", "scale"), 2, _scaled(decimal.ROUND_HALF_UP)),
    "round half down": (("n", "scale"), 2, _scaled(decimal.ROUND_HALF_DOWN)),
    "abs": (("n",), 1, _abs),
    "modulo": (("dividend", "divisor"), 2, _modulo),
    "sqrt": (("number",), 1, _sqrt),
    "log": (("number",), 1, _log),
    "exp": (("number",), 1, _exp),
    "odd": (("number",), 1, _parity(1)),
    "even": (("number",), 1, _parity(0)),
    "is": (("value1", "value2"), 2, _is),
    "day of year": (("date",), 1, _day(lambda day: Decimal(day.timetuple().tm_yday))),
    "day of week": (("date",), 1, _day(lambda day: _DAY_NAMES[day.weekday()])),
    "month of year": (("date",), 1, _day(lambda day: _MONTH_NAMES[day.month - 1])),
    "week of year": (("date",), 1, _day(lambda day: Decimal(day.isocalendar()[1]))),
    "get value": (("m", "key"), 2, _get_value),
    "get entries": (("m",), 1, _get_entries),
    "context put": (("context", "key", "value"), 3, _context_put),
    "context merge": (("contexts",), 1, _context_merge),
    "context": (("entries",), 1, _context),
}
# Functions with a second form under other parameter names (date(year, month, day) and the like).
_ALTERNATIVES: dict[str, tuple[tuple[str, ...], int]] = {
    "date": (("year", "month", "day"), 3),
    "date and time": (("date", "time"), 2),
    "time": (("hour", "minute", "second", "offset"), 3),
    "context put": (("context", "keys", "value"), 3),
    "list replace": (("list", "match", "newItem"), 3),
}


def _builtin(name: str, params: tuple[str, ...], fewest: int, impl: _Impl, variadic: bool = False) -> Function:
    most = len(params)

    def body(args: list[Any]) -> Any:
        if len(args) < fewest or (not variadic and len(args) > most):
            return None
        return impl(*args)
    return Function(name, params, body, variadic=variadic, builtin=True, fewest=fewest)


def builtins() -> dict[str, Function]:
    """Every built-in function by its FEEL name (a fresh dict; callers may layer their own names over it)."""
    functions: dict[str, Function] = {}
    for name, (params, fewest, impl) in _SCALAR.items():
        functions[name] = _builtin(name, params, fewest, impl)
        if name in _ALTERNATIVES:
            other, other_fewest = _ALTERNATIVES[name]
            functions[name] = _with_alternative(functions[name], _builtin(name, other, other_fewest, impl))
    for name, (params, fewest, impl, variadic) in LIST_FUNCTIONS.items():
        functions[name] = _builtin(name, params, fewest, impl, variadic)
        if name in _ALTERNATIVES:
            other, other_fewest = _ALTERNATIVES[name]
            functions[name] = _with_alternative(functions[name], _builtin(name, other, other_fewest, impl))
    for name, (forms, impl) in RANGE_FUNCTIONS.items():
        variants = tuple(_builtin(name, form, len(form), impl) for form in forms)
        functions[name] = variants[0] if len(variants) == 1 else Function(
            name, variants[0].params, variants[0].body, builtin=True, forms=variants)
    return functions


def _with_alternative(first: Function, second: Function) -> Function:
    """One function value whose named arguments may follow either form's parameter names."""
    params = first.params + tuple(name for name in second.params if name not in first.params)

    def body(args: list[Any]) -> Any:
        return first.body(args) if len(args) <= len(first.params) else second.body(args)
    return Function(first.name, params, body, builtin=True, forms=(first, second))

