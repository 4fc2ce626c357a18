"""What the compiled FEEL closures do: operators, paths, filters, calls, ranges, types, unary-test matching."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from engine.runtime.feel.standard import far, temporal
from engine.runtime.feel.standard.scope import MAX_CALL_DEPTH, Env
from engine.runtime.feel.standard.values import (
    CONTEXT,
    NULL_END,
    DaysTime,
    Function,
    Range,
    YearsMonths,
    all_of,
    checked_text,
    equal,
    is_date,
    ordering,
    type_name,
)
from engine.runtime.parsing import Problem

Evaluator = Callable[[Env], Any]
COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")


def negate(value: Any) -> bool | None:
    return (not value) if isinstance(value, bool) else None


def logic_or(left: Evaluator, right: Evaluator) -> Evaluator:
    def run(env: Env) -> Any:
        first = left(env)
        if first is True:
            return True
        second = right(env)
        if second is True:
            return True
        return False if first is False and second is False else None
    return run


def logic_and(left: Evaluator, right: Evaluator) -> Evaluator:
    def run(env: Env) -> Any:
        first = left(env)
        if first is False:
            return False
        second = right(env)
        if second is False:
            return False
        return True if first is True and second is True else None
    return run


def compare(symbol: str, a: Any, b: Any) -> bool | None:
    if symbol == "=":
        return equal(a, b)
    if symbol == "!=":
        return negate(equal(a, b))
    order = ordering(a, b)
    if order is None:
        return None
    return {"<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[symbol]


def comparison(symbol: str, left: Evaluator, right: Evaluator) -> Evaluator:
    return lambda env: compare(symbol, left(env), right(env))


def between(value: Evaluator, low: Evaluator, high: Evaluator) -> Evaluator:
    def run(env: Env) -> Any:
        subject = value(env)
        return all_of([compare(">=", subject, low(env)), compare("<=", subject, high(env))])
    return run


def matches(value: Any, test: Any) -> bool | None:
    """A positive unary test's value applied to the input: ranges contain, lists hold, others equal."""
    if isinstance(test, Range):
        return test.contains(value)
    if isinstance(test, list) and not isinstance(value, list):
        return any((item.contains(value) if isinstance(item, Range) else equal(value, item)) is True for item in test)
    if isinstance(test, list) and isinstance(value, list):
        if any(equal(value, item) is True for item in test):
            return True
        return equal(value, test)
    if isinstance(test, bool) and not isinstance(value, bool):
        return test
    return equal(value, test)


# ------------------------------------------------------------------ types


def named_type(name: str) -> Callable[[Any], bool]:
    if name == "Any":
        return lambda value: value is not None
    if name == "Null":
        return lambda value: value is None
    if name == "dateTime":
        name = "date and time"
    return lambda value: type_name(value) == name


def collection_type(name: str, inner: Callable[[Any], bool]) -> Callable[[Any], bool]:
    if name == "list":
        return lambda value: isinstance(value, list) and all(inner(item) for item in value)
    return lambda value: isinstance(value, Range) and all(inner(end) for end in (value.low, value.high)
                                                          if end is not None)


def context_type(fields: Mapping[str, Callable[[Any], bool]]) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, dict) and all(key in value and (value[key] is None or check(value[key]))
                                                         for key, check in fields.items())


def instance_of(value: Evaluator, check: Callable[[Any], bool]) -> Evaluator:
    return lambda env: check(value(env))


# ------------------------------------------------------------------ arithmetic


def negative(value: Any) -> Any:
    if isinstance(value, Decimal):
        return -value
    if isinstance(value, YearsMonths):
        return YearsMonths(-value.months)
    if isinstance(value, DaysTime):
        return DaysTime(-value.seconds)
    return None


def arithmetic(symbol: str, left: Evaluator, right: Evaluator) -> Evaluator:
    return lambda env: calculate(symbol, left(env), right(env))


def calculate(symbol: str, a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    try:
        if isinstance(a, Decimal) and isinstance(b, Decimal):
            return _numbers(symbol, a, b)
        if symbol == "+" and isinstance(a, str) and isinstance(b, str):
            return checked_text(a + b)
        return _temporal(symbol, a, b)
    except (decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow, OverflowError, ValueError):
        return None


def _numbers(symbol: str, a: Decimal, b: Decimal) -> Any:
    if symbol == "+":
        return CONTEXT.add(a, b)
    if symbol == "-":
        return CONTEXT.subtract(a, b)
    if symbol == "*":
        return CONTEXT.multiply(a, b)
    if symbol == "/":
        return None if b == 0 else CONTEXT.divide(a, b)
    if abs(b) > 999_999_999:
        return None
    if b == b.to_integral_value():
        return CONTEXT.power(a, int(b))
    return CONTEXT.power(a, b)


def _temporal(symbol: str, a: Any, b: Any) -> Any:
    if isinstance(a, far.FarMoment) or isinstance(b, far.FarMoment):
        return far.calculate(symbol, a, b)
    if isinstance(a, YearsMonths) and isinstance(b, YearsMonths) and symbol in "+-":
        return YearsMonths(a.months + b.months if symbol == "+" else a.months - b.months)
    if isinstance(a, DaysTime) and isinstance(b, DaysTime) and symbol in "+-":
        return DaysTime(a.seconds + b.seconds if symbol == "+" else a.seconds - b.seconds)
    if symbol == "*" and isinstance(b, YearsMonths | DaysTime) and isinstance(a, Decimal):
        a, b = b, a
    if symbol in "*/" and isinstance(b, Decimal):
        if isinstance(a, YearsMonths):
            if symbol == "/" and b == 0:
                return None
            value = a.months * b if symbol == "*" else CONTEXT.divide(Decimal(a.months), b)
            return YearsMonths(int(value.to_integral_value(rounding=decimal.ROUND_DOWN)))
        if isinstance(a, DaysTime):
            if symbol == "/" and b == 0:
                return None
            return DaysTime(CONTEXT.multiply(a.seconds, b) if symbol == "*" else CONTEXT.divide(a.seconds, b))
    if symbol == "/" and isinstance(a, YearsMonths) and isinstance(b, YearsMonths):
        return None if b.months == 0 else CONTEXT.divide(Decimal(a.months), Decimal(b.months))
    if symbol == "/" and isinstance(a, DaysTime) and isinstance(b, DaysTime):
        return None if b.seconds == 0 else CONTEXT.divide(a.seconds, b.seconds)
    if symbol in "+-" and isinstance(b, YearsMonths | DaysTime) and isinstance(a, dt.date | dt.time):
        return _shift(a, b if symbol == "+" else negative(b))
    if symbol == "+" and isinstance(a, YearsMonths | DaysTime) and isinstance(b, dt.date | dt.time):
        return _shift(b, a)
    if symbol == "-":
        return _difference(a, b)
    return None


def _shift(moment: Any, duration: Any) -> Any:
    if isinstance(moment, dt.time):
        if not isinstance(duration, DaysTime):
            return None
        base = dt.datetime.combine(dt.date(2000, 1, 1), moment) + duration.delta()
        return base.timetz()
    if isinstance(duration, YearsMonths):
        return moment + relativedelta(months=duration.months)
    if isinstance(moment, dt.datetime):
        return moment + duration.delta()
    shifted = dt.datetime.combine(moment, dt.time()) + duration.delta()
    return shifted.date()


def _difference(a: Any, b: Any) -> Any:
    if isinstance(a, dt.date) and isinstance(b, dt.date):
        # A date counts as its midnight in UTC; a local date and time cannot be set against a zoned one.
        left, right = _as_datetime(a), _as_datetime(b)
        if (left.tzinfo is None) != (right.tzinfo is None):
            return None
        delta = left - right
        return DaysTime(Decimal(delta.days * 86_400 + delta.seconds) + Decimal(delta.microseconds) / 1_000_000)
    if isinstance(a, dt.time) and isinstance(b, dt.time):
        if (a.tzinfo is None) != (b.tzinfo is None):
            return None
        day = dt.date(2000, 1, 1)
        delta = dt.datetime.combine(day, a) - dt.datetime.combine(day, b)
        return DaysTime(Decimal(delta.days * 86_400 + delta.seconds) + Decimal(delta.microseconds) / 1_000_000)
    return None


def _as_datetime(value: dt.date) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)


# ------------------------------------------------------------------ paths, filters, calls


_DATE_PROPERTIES = ("year", "month", "day")
_TIME_PROPERTIES = ("hour", "minute", "second")


def property_of(value: Any, name: str) -> Any:
    if isinstance(value, dict):
        return value.get(name)
    if isinstance(value, far.FarMoment):
        found = far.property_of(value, name)
        if found is not far.MISSING:
            return found
        value = value.inner
    if isinstance(value, dt.date) and name in _DATE_PROPERTIES:
        return Decimal(getattr(value, name))
    if isinstance(value, dt.date) and name == "weekday":
        return Decimal(value.isoweekday())
    if isinstance(value, dt.datetime | dt.time) and name in _TIME_PROPERTIES:
        return Decimal(getattr(value, name))
    if isinstance(value, dt.datetime | dt.time) and name == "time offset":
        offset = value.utcoffset()
        return None if offset is None else DaysTime(Decimal(int(offset.total_seconds())))
    if isinstance(value, dt.datetime | dt.time) and name == "timezone":
        return temporal.zone_name(value)
    if isinstance(value, YearsMonths):
        sign = -1 if value.months < 0 else 1
        parts: dict[str, Decimal | int] = {"years": abs(value.months) // 12, "months": abs(value.months) % 12}
        return Decimal(sign * parts[name]) if name in parts else None
    if isinstance(value, DaysTime):
        sign = -1 if value.seconds < 0 else 1
        seconds = abs(value.seconds)
        clock = {"days": seconds // 86_400, "hours": seconds % 86_400 // 3600, "minutes": seconds % 3600 // 60,
                 "seconds": seconds % 60 // 1}
        return Decimal(sign * clock[name]) if name in clock else None
    if isinstance(value, Range):
        ends = {"start": value.low, "end": value.high, "start included": value.low_closed,
                "end included": value.high_closed}
        return ends.get(name)
    return None


def path(target: Evaluator, name: str) -> Evaluator:
    def run(env: Env) -> Any:
        value = target(env)
        if isinstance(value, list):
            return [property_of(item, name) for item in value]
        return property_of(value, name)
    return run


def dotted(name: str) -> Evaluator:
    """A declared name with dots (a BKM parameter `Person.Gender`), else the path it spells where not in scope."""
    first, *rest = name.split(".")

    def run(env: Env) -> Any:
        if env.has(name):
            return env.lookup(name)
        value = env.lookup(first.strip())
        for part in rest:
            key = part.strip()
            value = [property_of(item, key) for item in value] if isinstance(value, list) else property_of(value, key)
        return value
    return run


def filtered(target: Evaluator, test: Evaluator) -> Evaluator:
    def run(env: Env) -> Any:
        value = target(env)
        items = value if isinstance(value, list) else [value]
        index = test(env.child({"item": None}))
        if isinstance(index, Decimal):
            if index != index.to_integral_value():
                return None
            position = int(index)
            if 1 <= position <= len(items):
                return items[position - 1]
            if -len(items) <= position <= -1:
                return items[position]
            return None
        kept = []
        for item in items:
            env.budget.step()
            layer = dict(item) if isinstance(item, dict) else {}
            layer.setdefault("item", item)  # a context's own `item` entry comes first
            if test(env.child(layer)) is True:
                kept.append(item)
        return kept
    return run


def call(target: Evaluator, positional: tuple[Evaluator, ...], named: dict[str, Evaluator] | None) -> Evaluator:
    def run(env: Env) -> Any:
        function = target(env)
        if not isinstance(function, Function):
            return None
        if named is None:
            return invoke(function, [arg(env) for arg in positional], None, env)
        return invoke(function, None, {key: arg(env) for key, arg in named.items()}, env)
    return run


def invoke(function: Function, args: list[Any] | None, named: dict[str, Any] | None, env: Env | None = None) -> Any:
    """Call a FEEL function with positional or named arguments; a wrong name or count is null."""
    budget = env.budget if env is not None else function.budget
    if budget is not None:
        budget.step()
        budget.calls += 1
        if budget.calls > MAX_CALL_DEPTH:
            budget.calls = 0
            raise Problem(f"Die Funktionsaufrufe sind zu tief verschachtelt (höchstens {MAX_CALL_DEPTH}).")
    try:
        if function.builtin:
            if named is not None and function.forms:
                function = next((form for form in function.forms if all(key in form.params for key in named)),
                                function)
            if named is not None:
                if any(key not in function.params for key in named):
                    return None
                args = [named.get(param, _MISSING) for param in function.params]
                while len(args) > function.fewest and args[-1] is _MISSING:
                    args.pop()
                args = [None if arg is _MISSING else arg for arg in args]  # a required one left out is null
            try:
                return function.body(args or [])
            except (ArithmeticError, ValueError, TypeError, IndexError, KeyError, AttributeError):
                return None  # a built-in not defined for these arguments: null, as FEEL says
        if named is None:
            values = list(args or [])
            if len(values) != len(function.params):
                return None
            named = dict(zip(function.params, values, strict=True))
        elif any(key not in function.params for key in named):
            return None
        return function.body({param: named.get(param) for param in function.params})
    finally:
        if budget is not None and budget.calls > 0:
            budget.calls -= 1


_MISSING: Any = object()


# ------------------------------------------------------------------ ranges, contexts, iteration


def temporal_literal(text: str) -> Any:
    value = temporal.from_text(text)
    if value is None:
        raise Problem(f"@\"{text[:40]}\" ist kein Datum, keine Uhrzeit und keine Dauer.")
    return value


def open_range(symbol: str, end: Evaluator) -> Evaluator:
    def run(env: Env) -> Any:
        value = end(env)
        if symbol in ("=", "!="):
            return Range(value, value, True, True, equality=True, negated=symbol == "!=")
        if symbol in ("<", "<="):
            return Range(None, value, False, symbol == "<=")
        return Range(value, None, symbol == ">=", False)
    return run


def make_range(low: Any, high: Any, low_closed: bool, high_closed: bool) -> Any:
    if low is None and high is None:
        return None
    if low is not None and high is not None:
        order = ordering(low, high)
        if order is None or order > 0:
            return None  # ends of different types, or a descending range
    return Range(NULL_END if low is None else low, NULL_END if high is None else high, low_closed, high_closed)


def context(entries: tuple[tuple[str, Evaluator], ...]) -> Evaluator:
    def run(env: Env) -> Any:
        result: dict[str, Any] = {}
        inner = env.child(result)
        for key, value in entries:
            result[key] = value(inner)
        return result
    return run


def integer_range(low: Any, high: Any) -> Any:
    if is_date(low) and is_date(high):  # for d in @"2021-01-01"..@"2021-01-03": day by day
        days = (high - low).days
        if abs(days) > 100_000:
            raise Problem("Der Datumsbereich ist zu groß (höchstens 100.000 Tage).")
        step = 1 if days >= 0 else -1
        return [low + dt.timedelta(days=offset) for offset in range(0, days + step, step)]
    if not isinstance(low, Decimal) or not isinstance(high, Decimal):
        return None
    if low != low.to_integral_value() or high != high.to_integral_value():
        return None
    step = 1 if high >= low else -1
    if abs(high - low) > 100_000:
        raise Problem("Der Zahlenbereich ist zu groß (höchstens 100.000 Werte).")
    return [Decimal(number) for number in range(int(low), int(high) + step, step)]


def _domain(value: Any) -> list[Any] | None:
    if isinstance(value, list):
        return value
    if isinstance(value, Range):
        if isinstance(value.low, Decimal) and isinstance(value.high, Decimal):
            low = value.low if value.low_closed else value.low + 1
            high = value.high if value.high_closed else value.high - 1
            result = integer_range(low, high)
            return result if isinstance(result, list) else None
        return None
    return None if value is None else [value]


def combinations(contexts: list[tuple[str, Evaluator]], env: Env) -> Iterator[dict[str, Any] | None]:
    """Every combination of the iteration contexts' items (later ones may use earlier names)."""
    if len(contexts) == 1:
        name, domain = contexts[0]
        items = _domain(domain(env))
        if items is None:
            yield None
            return
        for item in items:
            yield {name: item}
        return
    name, domain = contexts[0]
    items = _domain(domain(env))
    if items is None:
        yield None
        return
    for item in items:
        layer = {name: item}
        for rest in combinations(contexts[1:], env.child(layer)):
            if rest is None:
                yield None
                return
            yield {**layer, **rest}

