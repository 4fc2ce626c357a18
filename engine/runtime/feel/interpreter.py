"""The FEEL interpreter: expressions and unary tests evaluated with three-valued logic and null."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, assert_never

from engine.runtime.feel.functions import BUILTINS
from engine.runtime.feel.syntax import (
    AnyTest,
    Arith,
    Between,
    Call,
    Cmp,
    CmpTest,
    Const,
    ExprTest,
    If,
    In,
    Index,
    Input,
    Interval,
    List,
    Logic,
    Name,
    Neg,
    Node,
    Path,
    Test,
    Tests,
    nodes,
)
from engine.runtime.feel.values import (
    FeelDuration,
    all_of,
    any_of,
    arithmetic,
    equal,
    is_number,
    num,
    ordering,
    outbound,
)
from engine.runtime.parsing import Problem, clip


class Scope:
    """Variable lookup through layers (required decisions first, then the caller's variables)."""

    __slots__ = ("_layers",)

    def __init__(self, *layers: Mapping[str, object]) -> None:
        self._layers = layers

    def lookup(self, name: str) -> object:
        for layer in self._layers:
            if name in layer:
                return layer[name]
        raise Problem(f"Unbekannte Eingabe '{name}'.")


_DATE_FIELDS = {"year", "month", "day", "weekday"}
_TIME_FIELDS = {"hour", "minute", "second"}
_NO_INPUT: Any = object()


class Interpreter:
    """Evaluates expressions and unary tests in a scope; `?` stands for the input value while testing."""

    def __init__(self, scope: Scope, functions: Mapping[str, Callable[..., object]]) -> None:
        self._scope = scope
        self._functions = functions
        self._input: Any = _NO_INPUT

    def run(self, node: Node) -> Any:
        match node:
            case Const(value):
                return value
            case Name(name):
                return self._scope.lookup(name)
            case Input():
                if self._input is _NO_INPUT:
                    raise Problem("'?' steht nur in Eingabezellen für den Wert der Eingabe.")
                return self._input
            case Path(target, name):
                return _path(self.run(target), name)
            case Index(target, index):
                return _index(self.run(target), self.run(index))
            case Neg(operand):
                return self._negate(self.run(operand))
            case Arith(op, left, right):
                return arithmetic(op, self.run(left), self.run(right))
            case Cmp(op, left, right):
                return compare(op, self.run(left), self.run(right))
            case Between(value, low, high):
                subject = self.run(value)
                return all_of([compare(">=", subject, self.run(low)), compare("<=", subject, self.run(high))])
            case In(value, tests):
                return self.test(tests, self.run(value))
            case Logic(op, left, right):
                return self._logic(op, left, right)
            case If(test, then, other):
                return self.run(then) if self.run(test) is True else self.run(other)
            case Call(function, args):
                return self._call(function, [self.run(arg) for arg in args])
            case List(items):
                return [self.run(item) for item in items]
        assert_never(node)

    @staticmethod
    def _negate(value: Any) -> Any:
        if is_number(value):
            number = num(value)
            return -number if isinstance(number, int) else number.copy_negate()
        if isinstance(value, FeelDuration):
            return FeelDuration(-value.months, -value.seconds)
        return None

    def _logic(self, op: str, left: Node, right: Node) -> bool | None:
        # Three-valued: anything but true/false counts as null; false decides `and`, true decides `or`.
        deciding: bool = op == "or"
        first = self.run(left)
        if first is deciding:
            return op == "or"
        second = self.run(right)
        if second is deciding:
            return op == "or"
        if isinstance(first, bool) and isinstance(second, bool):
            return not deciding
        return None

    def _call(self, name: str, args: list[Any]) -> Any:
        builtin = BUILTINS.get(name)
        if builtin is not None:
            return builtin(args)
        function = self._functions.get(name)
        if function is None:
            raise Problem(f"Unbekannte Funktion '{name}'.")
        try:
            result = function(*(outbound(arg) for arg in args))
        except Exception as error:
            raise Problem(f"Die Funktion '{name}' ist fehlgeschlagen: {clip(str(error), 200)}") from error
        return result

    # ------------------------------------------------------------ unary tests

    def test(self, tests: Tests, value: Any) -> bool | None:
        saved = self._input
        self._input = value
        try:
            results: list[bool | None] = []
            for item in tests.items:
                result = self._one(item, value)
                if result is True:
                    results = [True]
                    break
                results.append(result)
            outcome = any_of(results)
        finally:
            self._input = saved
        if tests.negated:
            return None if outcome is None else not outcome
        return outcome

    def _one(self, test: Test, value: Any) -> bool | None:
        match test:
            case AnyTest():
                return True
            case CmpTest(op, endpoint):
                return compare(op, value, self.run(endpoint))
            case Interval(low_closed, low, high, high_closed):
                above = compare(">=" if low_closed else ">", value, self.run(low))
                if above is False:
                    return False
                return all_of([above, compare("<=" if high_closed else "<", value, self.run(high))])
            case ExprTest(node, uses_input, literal):
                result = self.run(node)
                if uses_input:
                    return result if isinstance(result, bool) else None
                if isinstance(result, bool) and not literal and value is not None and not isinstance(value, bool):
                    # An entry like `alter > grenze` decides by itself (as Camunda's FEEL engine does).
                    return result
                if isinstance(result, list | tuple):
                    return any_of([equal(value, item) for item in result])
                return equal(value, result)
        assert_never(test)


def compare(op: str, left: Any, right: Any) -> bool | None:
    if op == "=":
        return equal(left, right)
    if op == "!=":
        same = equal(left, right)
        return None if same is None else not same
    order = ordering(left, right)
    if order is None:
        return None
    if op == "<":
        return order < 0
    if op == "<=":
        return order <= 0
    if op == ">":
        return order > 0
    return order >= 0


def _path(value: Any, name: str) -> Any:
    if isinstance(value, Mapping):
        return value.get(name)  # a missing field is null in FEEL
    if isinstance(value, list | tuple):
        return [_path(item, name) for item in value]
    if isinstance(value, dt.date) and name in _DATE_FIELDS:
        return value.isoweekday() if name == "weekday" else getattr(value, name)
    if isinstance(value, dt.datetime) and name in _TIME_FIELDS:
        return getattr(value, name)
    if isinstance(value, FeelDuration):
        days, rest = divmod(abs(value.seconds), 86_400)
        sign = -1 if value.months < 0 or value.seconds < 0 else 1
        parts: dict[str, int | Decimal] = {
            "years": abs(value.months) // 12, "months": abs(value.months) % 12, "days": int(days),
            "hours": int(rest // 3600), "minutes": int(rest % 3600 // 60), "seconds": rest % 60,
        }
        return sign * parts[name] if name in parts else None
    return None


def _index(value: Any, index: Any) -> Any:
    if not isinstance(value, list | tuple):
        return None
    if not is_number(index) or num(index) != int(num(index)):
        raise Problem("Listen lassen sich nur mit einer ganzen Zahl abfragen (z. B. liste[1]); "
                      "Filterausdrücke werden nicht unterstützt.")
    position = int(num(index))
    # FEEL counts from 1; negative positions count from the end.
    if 1 <= position <= len(value):
        return value[position - 1]
    if -len(value) <= position <= -1:
        return value[position]
    return None


def run_guarded(action: Callable[[], Any]) -> Any:
    """Run an evaluation; every failure, whatever its cause, becomes a Problem with a German reason."""
    try:
        return action()
    except Problem:
        raise
    except RecursionError:
        # Only reachable through self-referencing data, e.g. a list that contains itself.
        raise Problem("Die Auswertung ist zu tief verschachtelt.") from None
    except MemoryError:
        raise Problem("Für die Auswertung reicht der Speicher nicht.") from None
    except Exception as error:
        raise Problem(f"Die Auswertung ist fehlgeschlagen ({type(error).__name__}).") from error


NOT_CONSTANT: Any = object()


def constant_value(node: Node) -> Any:
    """The value of an entry that needs no variables or passed functions; NOT_CONSTANT otherwise."""
    for item in nodes(node):
        if isinstance(item, Name | Input) or (isinstance(item, Call) and item.function not in BUILTINS):
            return NOT_CONSTANT
    try:
        return run_guarded(lambda: Interpreter(Scope(), {}).run(node))
    except Problem:
        return NOT_CONSTANT
