"""Tests of the safe expression evaluator used for conditions, timers, due dates and DMN entries."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle
import random
import time
import types
from collections.abc import Callable
from typing import Any

import pytest

from engine.runtime.expressions import Expression, ExpressionError, compile_expression, evaluate, unwrap

TODAY = dt.date(2025, 3, 14)
NOW = dt.datetime(2025, 3, 14, 9, 30)


def value_of(text: str, **variables: Any) -> Any:
    return evaluate(text, variables)


Functions = dict[str, Callable[..., Any]]


def reason_of(text: str, variables: dict[str, Any] | None = None, functions: Functions | None = None) -> str:
    with pytest.raises(ExpressionError) as info:
        evaluate(text, variables or {}, functions)
    assert str(info.value) == f"Ausdruck »{text}«: {info.value.reason}"
    return info.value.reason


def compile_reason(text: str) -> str:
    with pytest.raises(ExpressionError) as info:
        compile_expression(text)
    return info.value.reason


def same(result: Any, expected: Any) -> bool:
    return bool(result == expected) and type(result) is type(expected)


# --------------------------------------------------------------------------- literals


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", 42),
        ("007", 7),
        ("3.5", 3.5),
        ("'a'", "a"),
        ('"b"', "b"),
        ("''", ""),
        (r"'it\'s'", "it's"),
        (r'"sag \"ja\""', 'sag "ja"'),
        (r"'a\\b'", "a\\b"),
        (r"'x\ny'", "x\ny"),
        (r"'x\ty'", "x\ty"),
        ("'Größe ändern'", "Größe ändern"),
        ("'${nicht}'", "${nicht}"),
        ("true", True),
        ("false", False),
        ("True", True),
        ("False", False),
        ("null", None),
        ("None", None),
        ("[1, 2]", [1, 2]),
        ("[1, 2,]", [1, 2]),
        ("[]", []),
        ("[[1], 'a']", [[1], "a"]),
        ("(1, 2)", (1, 2)),
        ("(1,)", (1,)),
        ("()", ()),
        ("(7)", 7),
        ("((7))", 7),
    ],
)
def test_literals(text: str, expected: Any) -> None:
    assert same(value_of(text), expected)


def test_integer_and_decimal_types() -> None:
    assert type(value_of("1")) is int
    assert type(value_of("1.0")) is float


# --------------------------------------------------------------------------- arithmetic


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2", 3),
        ("5 - 7", -2),
        ("3 * 4", 12),
        ("7 / 2", 3.5),
        ("7 div 2", 3.5),
        ("8 / 2", 4.0),
        ("7 // 2", 3),
        ("-7 // 2", -4),
        ("7 % 3", 1),
        ("7 mod 3", 1),
        ("2 ** 10", 1024),
        ("2 ** 0", 1),
        ("1.5 ** 2", 2.25),
        ("-3", -3),
        ("+3", 3),
        ("- -3", 3),
        ("-2 ** 2", -4),
        ("2 ** 3 ** 2", 512),
        ("2 + 3 * 4", 14),
        ("(2 + 3) * 4", 20),
        ("10 - 4 - 3", 3),
        ("100 / 10 / 5", 2.0),
        ("2 * 3 % 4", 2),
        ("0.5 + 0.25", 0.75),
        ("10 ** 30", 10**30),
        ("'ab' + 'cd'", "abcd"),
        ("'ab' * 3", "ababab"),
        ("3 * 'ab'", "ababab"),
        ("'ab' * -1", ""),
        ("[1] + [2]", [1, 2]),
        ("[0] * 3", [0, 0, 0]),
        ("(1,) + (2,)", (1, 2)),
        ("(1,) * 2", (1, 1)),
    ],
)
def test_arithmetic(text: str, expected: Any) -> None:
    assert same(value_of(text), expected)


def test_date_arithmetic() -> None:
    variables = {"heute": TODAY, "jetzt": NOW, "faellig": dt.date(2025, 3, 28)}
    functions = {"tage": lambda n: dt.timedelta(days=n)}
    assert evaluate("heute + tage(14)", variables, functions) == dt.date(2025, 3, 28)
    assert evaluate("tage(14) + heute", variables, functions) == dt.date(2025, 3, 28)
    assert evaluate("faellig - tage(14) == heute", variables, functions) is True
    assert evaluate("faellig - heute", variables, functions) == dt.timedelta(days=14)
    assert evaluate("faellig - heute > tage(10)", variables, functions) is True
    assert evaluate("tage(2) * 3", variables, functions) == dt.timedelta(days=6)
    assert evaluate("tage(6) / 2", variables, functions) == dt.timedelta(days=3)
    assert evaluate("tage(6) / tage(2)", variables, functions) == 3.0
    assert evaluate("tage(7) // 2", variables, functions) == dt.timedelta(days=3, hours=12)
    assert evaluate("-tage(1)", variables, functions) == dt.timedelta(days=-1)
    assert evaluate("jetzt + tage(1)", variables, functions) == dt.datetime(2025, 3, 15, 9, 30)
    assert "Datum und ein Zeitpunkt" in reason_of("jetzt - heute", variables, functions)
    assert "Zeitzone" in reason_of("a - b", {"a": NOW, "b": NOW.replace(tzinfo=dt.UTC)})
    assert "zu groß" in reason_of("heute + tage(10000000)", variables, functions)


@pytest.mark.parametrize(
    "text",
    [
        "'a' + 1",
        "1 + 'a'",
        "[1] + (1,)",
        "'%s' % 1",
        "'%d' % 5",
        "true + 1",
        "1 - true",
        "'a' * 'b'",
        "'a' * 2.0",
        "'a' * true",
        "null + 1",
        "'a' - 'a'",
        "[1] / 2",
        "'a' ** 2",
        "-'a'",
        "+null",
        "-[1]",
        "d + 1",
        "d * 2",
    ],
)
def test_arithmetic_type_errors_are_german(text: str) -> None:
    reason = reason_of(text, {"d": TODAY})
    assert "passt nicht" in reason


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1 / 0", "Division durch null"),
        ("1 div 0", "Division durch null"),
        ("1 // 0", "Division durch null"),
        ("1 % 0", "Division durch null"),
        ("1 mod 0", "Division durch null"),
        ("1.0 / 0.0", "Division durch null"),
        ("2 ** 65", "Hochzahl"),
        ("2 ** -1", "Hochzahl"),
        ("2 ** 0.5", "Hochzahl"),
        ("2 ** true", "passt nicht"),
        ("1000001 ** 2", "Basis"),
        ("10 ** 31", "zu groß"),
        ("10 ** 30 + 1", "zu groß"),
        ("10 ** 30 * 10", "zu groß"),
        ("-(10 ** 30) - 1", "zu groß"),
        ("10.0 ** 64 * 10.0 ** 64 * 10.0 ** 64 * 10.0 ** 64 * 10.0 ** 64", "zu groß"),
        ("1000000.0 ** 64", "zu groß"),
    ],
)
def test_arithmetic_limits_and_zero_division(text: str, fragment: str) -> None:
    assert fragment in reason_of(text)


def test_float_overflow_from_variables_is_refused() -> None:
    assert "zu groß" in reason_of("big * 10", {"big": 1e308})
    assert "zu groß" in reason_of("big + big", {"big": 1e308})


def test_large_integer_literal_is_refused_at_compile_time() -> None:
    assert compile_expression("1" + "0" * 30).evaluate({}) == 10**30
    assert "zu groß" in compile_reason("1" + "0" * 31)
    assert "zu groß" in compile_reason("9" * 400)
    assert "zu groß" in compile_reason("9" * 400 + ".5")


# --------------------------------------------------------------------------- comparisons and logic


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 == 1", True),
        ("1 == 2", False),
        ("1 eq 1", True),
        ("1 eq 2", False),
        ("1 != 2", True),
        ("1 != 1", False),
        ("1 ne 2", True),
        ("1 ne 1", False),
        ("1 < 2", True),
        ("2 < 1", False),
        ("1 lt 2", True),
        ("2 lt 1", False),
        ("2 > 1", True),
        ("1 > 2", False),
        ("2 gt 1", True),
        ("1 gt 2", False),
        ("2 <= 2", True),
        ("3 <= 2", False),
        ("2 le 2", True),
        ("3 le 2", False),
        ("2 >= 2", True),
        ("2 >= 3", False),
        ("3 ge 3", True),
        ("2 ge 3", False),
        ("1 == 1.0", True),
        ("'a' < 'b'", True),
        ("'a' == 'a'", True),
        ("'a' == \"a\"", True),
        ("[1, 2] < [1, 3]", True),
        ("2 in [1, 2]", True),
        ("3 in [1, 2]", False),
        ("3 not in [1, 2]", True),
        ("2 not in [1, 2]", False),
        ("'ell' in 'hello'", True),
        ("'x' in 'hello'", False),
        ("2 in (1, 2)", True),
        ("null == null", True),
        ("null is null", True),
        ("null is None", True),
        ("1 is not None", True),
        ("true is true", True),
        ("false is not false", False),
    ],
)
def test_comparisons_and_aliases(text: str, expected: bool) -> None:
    assert value_of(text) is expected


def test_in_on_mapping_checks_keys() -> None:
    assert value_of("'a' in m", m={"a": 1}) is True
    assert value_of("'b' in m", m={"a": 1}) is False
    assert value_of("'b' not in m", m={"a": 1}) is True


def test_is_null_on_variables() -> None:
    assert value_of("x is null", x=None) is True
    assert value_of("x is null", x=0) is False
    assert value_of("x is not None", x="") is True


@pytest.mark.parametrize(("x", "expected"), [(0, False), (1, True), (3, True), (5, True), (6, False)])
def test_chained_comparison(x: int, expected: bool) -> None:
    assert value_of("1 <= x <= 5", x=x) is expected
    assert value_of("1 le x le 5", x=x) is expected
    assert value_of("x >= 1 && x <= 5", x=x) is expected


def test_longer_chains_and_short_circuit() -> None:
    assert value_of("1 < 2 < 3 > 0") is True
    assert value_of("1 < 3 < 2") is False
    assert value_of("1 == 1 != 2") is True
    # Python chains stop at the first false link, so the unknown name is never looked up.
    assert value_of("1 > 2 > unbekannt") is False


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [(True, True, False), (True, False, True), (False, True, False), (False, False, False)],
)
def test_juel_and_not(a: bool, b: bool, expected: bool) -> None:
    assert evaluate("#{a && !b}", {"a": a, "b": b}) is expected
    assert evaluate("${a and not b}", {"a": a, "b": b}) is expected


@pytest.mark.parametrize(("a", "b"), [(True, True), (True, False), (False, True), (False, False)])
def test_boolean_operators(a: bool, b: bool) -> None:
    variables = {"a": a, "b": b}
    assert evaluate("a and b", variables) is (a and b)
    assert evaluate("a && b", variables) is (a and b)
    assert evaluate("a or b", variables) is (a or b)
    assert evaluate("a || b", variables) is (a or b)
    assert evaluate("not a", variables) is (not a)
    assert evaluate("!a", variables) is (not a)
    assert evaluate("!(a || b)", variables) is (not (a or b))
    assert evaluate("a != b", variables) is (a != b)


def test_not_precedence_python_versus_juel() -> None:
    # `not` binds like Python (below ==), `!` like JUEL (tightly).
    assert value_of("not x == 'a'", x="b") is True
    assert value_of("!x == 'a'", x="b") is False
    assert value_of("not true or true") is True
    assert value_of("not (true or true)") is False
    assert value_of("true or false and false") is True
    assert value_of("(true or false) and false") is False
    assert value_of("!empty liste", liste=[1]) is True
    assert value_of("not empty liste", liste=[]) is False


def test_and_or_short_circuit_and_return_operand() -> None:
    assert value_of("false and unbekannt") is False
    assert value_of("true or unbekannt") is True
    assert "Unbekannte Variable 'unbekannt'" in reason_of("true and unbekannt")
    assert value_of("0 or 'standard'") == "standard"
    assert value_of("'' and 1") == ""
    assert value_of("name || 'unbekannt'", name="Meier") == "Meier"
    assert value_of("1 and 2 and 3") == 3
    assert value_of("0 or '' or null") is None


@pytest.mark.parametrize(("x", "expected"), [(5, "hoch"), (4, "hoch"), (3, "niedrig"), (-1, "niedrig")])
def test_conditional_expressions(x: int, expected: str) -> None:
    assert value_of("x > 3 ? 'hoch' : 'niedrig'", x=x) == expected
    assert value_of("${x gt 3 ? 'hoch' : 'niedrig'}", x=x) == expected
    assert value_of("'hoch' if x > 3 else 'niedrig'", x=x) == expected


@pytest.mark.parametrize(("x", "expected"), [(5, "a"), (2, "b"), (0, "c")])
def test_nested_conditionals(x: int, expected: str) -> None:
    assert value_of("x > 3 ? 'a' : x > 1 ? 'b' : 'c'", x=x) == expected
    assert value_of("'a' if x > 3 else 'b' if x > 1 else 'c'", x=x) == expected
    assert value_of("x > 1 ? (x > 3 ? 'a' : 'b') : 'c'", x=x) == expected


def test_conditional_evaluates_only_the_chosen_branch() -> None:
    assert value_of("true ? 1 : unbekannt") == 1
    assert value_of("false ? unbekannt : 2") == 2
    assert value_of("1 if true else unbekannt") == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, True),
        ("", True),
        ([], True),
        ({}, True),
        ((), True),
        ("a", False),
        ([0], False),
        ({"k": 1}, False),
        (0, False),
        (False, False),
        (TODAY, False),
    ],
)
def test_empty(value: Any, expected: bool) -> None:
    assert value_of("empty liste", liste=value) is expected
    assert value_of("${empty liste}", liste=value) is expected


def test_empty_binds_to_member_access() -> None:
    assert value_of("empty a.b", a={"b": []}) is True
    assert value_of("empty a.b == false", a={"b": [1]}) is True


# --------------------------------------------------------------------------- unwrap


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${a}", ("a", True)),
        ("#{a}", ("a", True)),
        ("  ${ a == 1 }  ", ("a == 1", True)),
        ("${x == '}'}", ("x == '}'", True)),
        ('${x == "\\"}"}', ('x == "\\"}"', True)),
        ("${}", ("", True)),
        ("a", ("a", False)),
        ("  a > 1\n", ("a > 1", False)),
        ("${a} + ${b}", ("${a} + ${b}", False)),
        ("${a", ("${a", False)),
        ("$a", ("$a", False)),
        ("{a}", ("{a}", False)),
        ("P14D", ("P14D", False)),
        ("", ("", False)),
    ],
)
def test_unwrap(text: str, expected: tuple[str, bool]) -> None:
    assert unwrap(text) == expected


def test_with_and_without_wrapper_give_same_result() -> None:
    variables = {"x": 4}
    assert evaluate("${x * 2}", variables) == 8
    assert evaluate("#{x * 2}", variables) == 8
    assert evaluate("x * 2", variables) == 8


# --------------------------------------------------------------------------- variables, members, subscripts


@pytest.mark.parametrize("plan", [True, False])
def test_plan_vereinbart(plan: bool) -> None:
    assert evaluate("${planVereinbart == true}", {"planVereinbart": plan}) is plan
    assert evaluate("${planVereinbart}", {"planVereinbart": plan}) is plan


def test_member_access_returns_date_from_dict() -> None:
    due = dt.date(2025, 4, 1)
    variables = {"schritt": {"faellig": due, "titel": "Profiling"}}
    assert evaluate("${schritt.faellig}", variables) is due
    assert evaluate("schritt.faellig.year", variables) == 2025
    assert evaluate("schritt.faellig.month", variables) == 4
    assert evaluate("schritt.faellig.day", variables) == 1
    assert evaluate("schritt['titel']", variables) == "Profiling"
    assert evaluate("schritt['faellig'].day", variables) == 1


def test_datetime_fields() -> None:
    assert value_of("t.hour", t=NOW) == 9
    assert value_of("t.minute", t=NOW) == 30
    assert value_of("t.year", t=NOW) == 2025


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("d.hour", TODAY),
        ("d.weekday", TODAY),
        ("d.isoformat", TODAY),
        ("d.max", TODAY),
        ("d.second", NOW),
        ("d.tzinfo", NOW),
        ("d.days", dt.timedelta(days=1)),
        ("d.real", 5),
        ("d.upper", "text"),
        ("d.append", [1]),
        ("d.count", (1,)),
    ],
)
def test_other_attributes_are_refused(text: str, value: Any) -> None:
    reason = reason_of(text, {"d": value})
    assert "Feld" in reason


def test_attribute_on_function_result_objects_is_refused() -> None:
    functions = {"obj": lambda: types.SimpleNamespace(wert=1)}
    assert "hat kein Feld 'wert'" in reason_of("obj().wert", {}, functions)


def test_nested_fields_and_subscripts() -> None:
    variables = {"a": {"b": {"c": 1}}, "liste": [10, 20, 30], "t": (1, 2), "s": "abc"}
    assert evaluate("a.b.c", variables) == 1
    assert evaluate("a['b']['c']", variables) == 1
    assert evaluate("liste[0]", variables) == 10
    assert evaluate("liste[-1]", variables) == 30
    assert evaluate("liste[1 + 1]", variables) == 30
    assert evaluate("t[1]", variables) == 2
    assert evaluate("s[1]", variables) == "b"
    assert evaluate("[5, 6][1]", variables) == 6
    assert evaluate("a.b['c']", variables) == 1


def test_missing_fields_and_indices() -> None:
    variables: dict[str, Any] = {"a": {"b": {}}, "liste": [1, 2, 3], "leer": None, "zahl": 3}
    assert reason_of("a.x", variables) == "'a' hat kein Feld 'x'."
    assert reason_of("a.b.c", variables) == "'a.b' hat kein Feld 'c'."
    assert "'a' hat kein Feld 'x'" in reason_of("a['x']", variables)
    assert "Index 5 liegt außerhalb von 'liste'" in reason_of("liste[5]", variables)
    assert "Index -4" in reason_of("liste[-4]", variables)
    assert "ganze Zahl" in reason_of("liste['x']", variables)
    assert "ganze Zahl" in reason_of("liste[true]", variables)
    assert "ganze Zahl" in reason_of("liste[1.0]", variables)
    assert "'leer' ist null und hat kein Feld 'x'" in reason_of("leer.x", variables)
    assert "'zahl' ist eine Zahl" in reason_of("zahl.x", variables)
    assert "lässt sich nicht mit [...] abfragen" in reason_of("zahl[0]", variables)
    assert "Schlüssel" in reason_of("a[[1]]", variables)


@pytest.mark.parametrize("name", ["x", "fallNummer", "größe", "straße2", "ÄÖÜ_x"])
def test_unknown_variable_names_the_variable(name: str) -> None:
    assert reason_of(f"{name} > 1") == f"Unbekannte Variable '{name}'."
    assert value_of(f"{name} + 1", **{name: 1}) == 2


def test_variables_can_be_any_mapping() -> None:
    from collections import ChainMap

    variables = ChainMap({"a": 1}, {"b": 2})
    assert evaluate("a + b", variables) == 3
    assert evaluate("m.x", {"m": types.MappingProxyType({"x": 5})}) == 5


# --------------------------------------------------------------------------- functions


def test_functions_are_called_with_positional_arguments() -> None:
    functions: Functions = {"heute": lambda: TODAY, "plusTage": lambda d, n: d + dt.timedelta(days=n)}
    assert evaluate("heute()", {}, functions) == TODAY
    assert evaluate("plusTage(heute(), 3)", {}, functions) == dt.date(2025, 3, 17)
    assert evaluate("plusTage(heute(), 3,)", {}, functions) == dt.date(2025, 3, 17)
    assert evaluate("${heute() < plusTage(heute(), 1)}", {}, functions) is True


def test_unknown_function() -> None:
    assert reason_of("jetzt()", {}, {"heute": lambda: TODAY}) == "Unbekannte Funktion 'jetzt'."
    assert reason_of("heute()") == "Unbekannte Funktion 'heute'."


def test_variable_and_function_namespaces_are_separate() -> None:
    # A callable in the variables is not callable from the diagram.
    assert reason_of("f(1)", {"f": lambda x: x}) == "Unbekannte Funktion 'f'."


def test_function_errors_are_wrapped() -> None:
    def kaputt() -> None:
        raise ValueError("boom")

    with pytest.raises(ExpressionError) as info:
        evaluate("kaputt()", {}, {"kaputt": kaputt})
    assert info.value.reason == "Die Funktion 'kaputt' ist fehlgeschlagen: boom"
    causes = []
    cause = info.value.__cause__
    while cause is not None:
        causes.append(cause)
        cause = cause.__cause__
    assert [str(cause) for cause in causes if isinstance(cause, ValueError)] == ["boom"]  # the original is kept
    assert "fehlgeschlagen" in reason_of("f(1, 2)", {}, {"f": lambda x: x})


def test_values_from_functions_may_be_anything() -> None:
    marker = object()
    assert evaluate("f()", {}, {"f": lambda: marker}) is marker
    assert evaluate("f() == f()", {}, {"f": lambda: marker}) is True


@pytest.mark.parametrize(
    "text", ["a.b()", "(f)(1)", "f(1)(2)", "a[0]()", "'x'.upper()", "a.b.c(1)", "[f][0]()", "f(x=1)", "f(*a)"]
)
def test_only_bare_names_can_be_called(text: str) -> None:
    compile_reason(text)


def test_method_call_message() -> None:
    assert "Methodenaufrufe sind nicht erlaubt" in compile_reason("a.b()")


# --------------------------------------------------------------------------- syntax errors


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "${}",
        "${  }",
        "1 +",
        "(1",
        "1)",
        "[1, 2",
        "a ==",
        "'abc",
        '"abc',
        "a = 1",
        "a & b",
        "a | b",
        "1 2",
        "f(1 2)",
        "a.",
        "a.1",
        "a..b",
        "?",
        "x ? 1",
        "x ? 1 :",
        "1 if x",
        "'\\q'",
        "@",
        "x is 3",
        "x is",
        "not",
        "a not b",
        "empty",
        "${a} + ${b}",
        "$a",
        "{a: 1}",
        "a[1:2]",
        "lambda: 1",
        "eq",
        "div 2",
        "1 +* 2",
        ".5",
        "x;y",
        "`id`",
        "a b",
    ],
)
def test_syntax_errors_are_refused_at_compile_time(text: str) -> None:
    reason = compile_reason(text)
    assert reason


def test_syntax_error_messages_are_helpful() -> None:
    assert "Zuweisung" in compile_reason("a = 1")
    assert "'&&'" in compile_reason("a & b")
    assert "leer" in compile_reason("${}")
    assert "endet unerwartet" in compile_reason("1 +")
    assert "')' erwartet" in compile_reason("(1")
    assert "nicht mit ' abgeschlossen" in compile_reason("'abc")
    assert "Escape" in compile_reason("'\\q'")
    assert compile_reason("1 2") == "Unerwartetes '2' an Stelle 3."


# --------------------------------------------------------------------------- hostile input


HOSTILE = [
    "__import__('os').system('id')",
    "().__class__.__base__.__subclasses__()",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__dict__",
    "x.__class__",
    "_x",
    "a._b",
    "a['__class__']",
    "[].__class__",
    "''.join(['a'])",
    "'{0.__class__}'.format(x)",
    "getattr(x, '__class__')",
    "open('/etc/passwd').read()",
    "open('/etc/passwd')",
    "eval('1')",
    "exec('import os')",
    "compile('1', 'x', 'eval')",
    "globals()",
    "lambda: 1",
    "import os",
    "os.system('id')",
    "system('id')",
    "x.func_globals",
    "f.__globals__['os']",
    "[c for c in ().__class__.__bases__]",
    "type(x)",
    "x if __debug__ else y",
    "(lambda: 1)()",
    "'%s' % x",
    "'%*d' % (10**9, 1)",
    "9**9**9",
    "'a' * 10**9",
    "[1] * 10**9",
    "(1,) * 10**9",
    "10**9 * 'a'",
    "10**9 * [1]",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_is_refused(text: str) -> None:
    calls: list[tuple[Any, ...]] = []

    def record(*args: Any) -> None:
        calls.append(args)

    variables = {"x": {"a": 1}, "a": {"b": 1}, "os": {"system": record}, "y": 1, "f": record}
    # Functions whose names the hostile strings do not use (or only reach through forbidden paths).
    functions = {"record": record, "os": record, "run": record}
    with pytest.raises(ExpressionError):
        evaluate(text, variables, functions)
    assert calls == []


def test_import_attempt_has_no_side_effect() -> None:
    calls: list[tuple[Any, ...]] = []

    def system(*args: Any) -> int:
        calls.append(args)
        return 0

    functions = {"system": system, "import_": system}
    variables = {"os": {"system": system}}
    for text in ["__import__('os').system('id')", "os.system('id')", "os['system']('id')", "${system}('id')"]:
        with pytest.raises(ExpressionError):
            evaluate(text, variables, functions)
    assert calls == []
    # Control: the recorder does work when named legitimately, so the assertion above can fail.
    evaluate("system('id')", variables, functions)
    assert calls == [("id",)]


def test_underscore_names_are_refused_at_compile_time() -> None:
    for text in ["__import__('os')", "x.__dict__", "_geheim", "a._b", "_f()"]:
        assert "Namen mit Unterstrich am Anfang sind nicht erlaubt" in compile_reason(text)


def test_dunder_keys_in_dicts_are_plain_lookups() -> None:
    assert value_of("a['__class__']", a={"__class__": 7}) == 7
    assert "hat kein Feld '__class__'" in reason_of("a['__class__']", {"a": {}})


def test_huge_power_is_refused_fast() -> None:
    start = time.perf_counter()
    assert "Hochzahl" in reason_of("9**9**9")
    assert "Hochzahl" in reason_of("9 ** 9 ** 9 ** 9")
    assert time.perf_counter() - start < 1.0


def test_huge_repetition_is_refused_fast() -> None:
    start = time.perf_counter()
    assert "zu lang" in reason_of("'a' * 10**9")
    assert "zu lang" in reason_of("[1] * 10**9")
    assert "zu lang" in reason_of("10**30 * 'ab'")
    assert time.perf_counter() - start < 1.0


def test_sequence_length_limit() -> None:
    assert len(value_of("'a' * 10000")) == 10_000
    assert "zu lang" in reason_of("'a' * 10001")
    assert len(value_of("[0] * 10000")) == 10_000
    assert "zu lang" in reason_of("[0] * 5001 * 2")
    assert "zu lang" in reason_of("s + s", {"s": "x" * 6000})
    assert "zu lang" in reason_of("l + l", {"l": [0] * 6000})
    assert "zu lang" in reason_of("('a' * 10000) + 'b'")


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    for text in [
        "(" * 500 + "1" + ")" * 500,
        "[" * 500 + "]" * 500,
        "-" * 500 + "1",
        "!" * 500 + "true",
        "not " * 400 + "true",
        "f(" * 500 + ")" * 500,
        "1" + " ** 1" * 300,
        "1" + " + 1" * 300,
        "a" + "[0]" * 400,
    ]:
        with pytest.raises(ExpressionError) as info:
            compile_expression(text)
        assert "verschachtelt" in info.value.reason or "Bestandteile" in info.value.reason
        # Refused by the parser's own limit, not by catching a RecursionError after the fact.
        assert info.value.__cause__ is None


def test_nesting_limit_boundary() -> None:
    assert value_of("(" * 25 + "1" + ")" * 25) == 1
    assert "verschachtelt" in compile_reason("(" * 40 + "1" + ")" * 40)
    assert value_of(" + ".join(["1"] * 25)) == 25
    assert "verschachtelt" in compile_reason(" + ".join(["1"] * 40))
    # Flat and/or chains are one node, so long lists of alternatives are fine.
    assert value_of(" or ".join(["x == 1"] * 40), x=1) is True


def test_node_limit() -> None:
    assert len(value_of("[" + ", ".join(["1"] * 150) + "]")) == 150
    assert "Bestandteile" in compile_reason("[" + ", ".join(["1"] * 250) + "]")


def test_source_length_limit() -> None:
    long_ok = "x" + " " * 1998 + "1"
    assert len(long_ok) == 2000
    assert "zu lang" not in (compile_reason(long_ok))  # syntax error, not length
    assert "zu lang" in compile_reason("x" * 2001)
    assert "zu lang" in compile_reason("1 + " * 600 + "1")
    assert "zu lang" in compile_reason("${" + " " * 2000 + "1}")


# --------------------------------------------------------------------------- incompatible comparisons


@pytest.mark.parametrize(
    ("text", "variables", "fragments"),
    [
        ("d < 3", {"d": TODAY}, ("Datum", "Zahl", "vergleichen")),
        ("3 >= d", {"d": TODAY}, ("Zahl", "Datum")),
        ("d lt 3", {"d": TODAY}, ("Datum", "Zahl")),
        ("null < 3", {}, ("null", "Zahl")),
        ("x > 3", {"x": None}, ("null", "Zahl")),
        ("'a' < 1", {}, ("Text", "Zahl")),
        ("true < 2", {}, ("Wahrheitswert", "Zahl")),
        ("[1] < (1,)", {}, ("Liste", "Tupel")),
        ("m < m", {"m": {}}, ("Datensatz",)),
        ("d < t", {"d": TODAY, "t": NOW}, ("Datum", "Zeitpunkt")),
        ("t < u", {"t": NOW, "u": NOW.replace(tzinfo=dt.UTC)}, ("Zeitzone",)),
        ("[1, 'a'] < [1, 2]", {}, ("vergleichen",)),
        ("'a' in 1", {}, ("in",)),
        ("1 in 'abc'", {}, ("Text",)),
        ("[1] in m", {"m": {}}, ("suchen",)),
    ],
)
def test_incompatible_comparisons_give_german_errors(
    text: str, variables: dict[str, Any], fragments: tuple[str, ...]
) -> None:
    reason = reason_of(text, variables)
    for fragment in fragments:
        assert fragment in reason
    assert "not supported" not in reason
    assert "can't compare" not in reason


def test_date_comparisons_work() -> None:
    variables = {"faellig": dt.date(2025, 4, 1), "heute": TODAY}
    assert evaluate("faellig > heute", variables) is True
    assert evaluate("faellig <= heute", variables) is False
    assert evaluate("faellig == heute", variables) is False
    assert evaluate("faellig == 3", variables) is False  # equality never raises


# --------------------------------------------------------------------------- compiled expressions


def test_compile_expression_is_cached() -> None:
    first = compile_expression("${a + 1}")
    assert compile_expression("${a + 1}") is first
    assert compile_expression.cache_info().maxsize == 4096


def test_expression_reports_names_and_functions() -> None:
    expression = compile_expression("a.b + c['x'] + f(d, g()) + len(e.f.g) if h else 1")
    assert expression.names == frozenset({"a", "c", "d", "e", "h"})
    assert expression.functions == frozenset({"f", "g", "len"})
    assert expression.source == "a.b + c['x'] + f(d, g()) + len(e.f.g) if h else 1"
    assert compile_expression("${x > 1}").source == "${x > 1}"
    assert compile_expression("1 + 2").names == frozenset()
    assert compile_expression("true and null").names == frozenset()


def test_expression_is_frozen_and_reusable() -> None:
    expression = compile_expression("x * 2")
    assert isinstance(expression, Expression)
    with pytest.raises(dataclasses.FrozenInstanceError):
        expression.source = "y"  # type: ignore[misc]
    assert expression.evaluate({"x": 2}) == 4
    assert expression.evaluate({"x": "ab"}) == "abab"
    assert "_tree" not in repr(expression)


def test_expression_error_format_and_pickling() -> None:
    error = ExpressionError("a +", "Der Ausdruck endet unerwartet.")
    assert str(error) == "Ausdruck »a +«: Der Ausdruck endet unerwartet."
    assert error.expression == "a +"
    assert error.reason == "Der Ausdruck endet unerwartet."
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.expression, copy.reason, str(copy)) == (error.expression, error.reason, str(error))


def test_errors_keep_the_original_text() -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate("${ unbekannt }", {})
    assert info.value.expression == "${ unbekannt }"


def test_non_string_input_is_refused() -> None:
    with pytest.raises(ExpressionError):
        compile_expression(42)


def test_strange_variable_values_only_raise_expression_error() -> None:
    class Nasty:
        def __eq__(self, other: object) -> bool:
            raise RuntimeError("nope")

        def __bool__(self) -> bool:
            raise RuntimeError("nope")

        __hash__ = object.__hash__

    nasty = Nasty()
    for text in ["x == 1", "x ? 1 : 2", "not x", "x and 1", "1 in [x]"]:
        with pytest.raises(ExpressionError):
            evaluate(text, {"x": nasty})
    first: list[Any] = []
    first.append(first)
    second: list[Any] = []
    second.append(second)
    with pytest.raises(ExpressionError) as info:
        evaluate("a == b", {"a": first, "b": second})
    assert "verschachtelt" in info.value.reason


# --------------------------------------------------------------------------- fuzzing

FUZZ_TOKENS = [
    "1", "0", "2.5", "10**9", "'a'", '"b"', "'", "\\", "x", "y", "d", "liste", "m.k", "m", "f", "g",
    "(", ")", "[", "]", ",", ".", "+", "-", "*", "/", "//", "%", "**", "==", "!=", "<", ">", "<=", ">=",
    "=", "and", "or", "not", "!", "&&", "||", "?", ":", "if", "else", "empty", "in", "is", "null", "true",
    "false", "eq", "div", "mod", "_x", "__class__", "${", "#{", "}", "@", "ä", "ß",
]  # fmt: skip


def test_fuzz_only_expression_errors() -> None:
    rng = random.Random(1234)
    variables = {"x": 3, "y": "text", "d": TODAY, "liste": [1, 2, 3], "m": {"k": [1, {"z": None}]}}
    functions = {"f": lambda *args: len(args), "g": lambda *args: args}
    outcomes = {"ok": 0, "error": 0}
    for _ in range(2000):
        text = " ".join(rng.choice(FUZZ_TOKENS) for _ in range(rng.randint(1, 10)))
        if rng.random() < 0.3:
            text = text.replace(" ", "")
        try:
            evaluate(text, variables, functions)
        except ExpressionError as error:
            assert str(error).startswith("Ausdruck »")
            assert error.reason
            outcomes["error"] += 1
        except Exception as error:  # pragma: no cover - the point of the test
            pytest.fail(f"{text!r} raised {type(error).__name__}: {error}")
        else:
            outcomes["ok"] += 1
    # Both paths must really be exercised, or the fuzzing proves nothing.
    assert outcomes["ok"] > 20
    assert outcomes["error"] > 50


def test_fuzz_structured_expressions() -> None:
    rng = random.Random(1234)
    atoms = ["x", "1", "2.5", "'s'", "null", "true", "liste", "d", "m.k", "f(x)", "[1, 2]", "()"]
    operators = ["+", "-", "*", "/", "//", "%", "**", "==", "<", "and", "or", "in", "&&", "||", "div", "mod"]
    variables = {"x": 3, "d": TODAY, "liste": [1, 2, 3], "m": {"k": 4}}
    functions = {"f": lambda v: v}
    results = 0
    for _ in range(2000):
        text = rng.choice(atoms)
        for _ in range(rng.randint(0, 5)):
            text = f"{text} {rng.choice(operators)} {rng.choice(atoms)}"
            if rng.random() < 0.3:
                text = f"({text})"
            if rng.random() < 0.1:
                text = f"{rng.choice(['-', '!', 'not ', 'empty '])}{text}"
        try:
            evaluate(text, variables, functions)
        except ExpressionError:
            continue
        results += 1
    assert results > 100
