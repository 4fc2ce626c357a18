"""Tests of the DMN reader and FEEL evaluator for decision tables written by Camunda Modeler 5."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle
import random
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from engine.runtime.dmn import (
    Decision,
    DecisionResult,
    DmnError,
    FeelDuration,
    Rule,
    compile_feel_expression,
    compile_unary_tests,
    evaluate,
    lint_dmn,
    read_decisions,
)
from engine.runtime.errors import EngineError, Finding
from engine.runtime.xmlsafe import parse_xml

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "dmn"
DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
DMN12 = "http://www.omg.org/spec/DMN/20180521/MODEL/"


def load(name: str) -> etree._Element:
    return parse_xml((FIXTURES / name).read_bytes(), name)


def decisions_of(name: str) -> dict[str, Decision]:
    return read_decisions(load(name), name)


def matches(text: str, value: object, **variables: object) -> bool:
    return compile_unary_tests(text).matches(value, variables)


def value_of(source: str, functions: dict[str, Callable[..., Any]] | None = None, /, **variables: object) -> object:
    return compile_feel_expression(source).evaluate(variables, functions)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def table(
    decision_id: str,
    inputs: list[tuple[str, str | None]],
    outputs: list[tuple[str, str | None]],
    rules: list[tuple[list[str], list[str]]],
    hit_policy: str | None = None,
    aggregation: str | None = None,
    requires: tuple[str, ...] = (),
    output_values: dict[int, str] | None = None,
) -> str:
    """One <decision> as Camunda Modeler writes it; inputs are (expression, typeRef), outputs (name, typeRef)."""
    parts = [f'<decision id="{decision_id}" name="{decision_id}">']
    for index, required in enumerate(requires):
        parts.append(f'<informationRequirement id="IR_{decision_id}_{index}"><requiredDecision href="#{required}"/>'
                     "</informationRequirement>")
    attributes = f' hitPolicy="{hit_policy}"' if hit_policy else ""
    attributes += f' aggregation="{aggregation}"' if aggregation else ""
    parts.append(f'<decisionTable id="DT_{decision_id}"{attributes}>')
    for index, (expression, type_ref) in enumerate(inputs):
        type_attribute = f' typeRef="{type_ref}"' if type_ref else ""
        parts.append(f'<input id="In_{decision_id}_{index}" label="{expression}"><inputExpression '
                     f'id="IE_{decision_id}_{index}"{type_attribute}><text>{escape(expression)}</text>'
                     "</inputExpression></input>")
    for index, (name, type_ref) in enumerate(outputs):
        type_attribute = f' typeRef="{type_ref}"' if type_ref else ""
        values = (output_values or {}).get(index)
        inner = f"<outputValues><text>{escape(values)}</text></outputValues>" if values else ""
        parts.append(f'<output id="Out_{decision_id}_{index}" name="{name}"{type_attribute}>{inner}</output>')
    for number, (tests, results) in enumerate(rules, start=1):
        parts.append(f'<rule id="{decision_id}_R{number}">')
        parts.extend(f'<inputEntry id="{decision_id}_R{number}_i{i}"><text>{escape(text)}</text></inputEntry>'
                     for i, text in enumerate(tests))
        parts.extend(f'<outputEntry id="{decision_id}_R{number}_o{i}"><text>{escape(text)}</text></outputEntry>'
                     for i, text in enumerate(results))
        parts.append("</rule>")
    parts.append("</decisionTable></decision>")
    return "".join(parts)


def document(*decisions: str, namespace: str = DMN13) -> etree._Element:
    text = (f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="{namespace}" id="Definitions_1" '
            f'name="DRD" namespace="http://camunda.org/schema/1.0/dmn">{"".join(decisions)}</definitions>')
    return parse_xml(text.encode(), "inline.dmn")


def single(decision: str, variables: dict[str, object], **functions: Callable[..., Any]) -> DecisionResult:
    root = document(decision)
    decisions = read_decisions(root, "inline.dmn")
    return evaluate(decisions, next(iter(decisions)), variables, functions)


def read_error(*decisions: str) -> DmnError:
    with pytest.raises(DmnError) as info:
        read_decisions(document(*decisions), "inline.dmn")
    return info.value


# --------------------------------------------------------------------------- unary tests

D = dt.date


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        # every interval bracket on both ends, at and beside both boundaries
        ("[1..5]", 1, True), ("[1..5]", 5, True), ("[1..5]", 0, False), ("[1..5]", 6, False), ("[1..5]", 3, True),
        ("(1..5]", 1, False), ("(1..5]", 5, True), ("(1..5]", 1.01, True),
        ("]1..5]", 1, False), ("]1..5]", 5, True),
        ("[1..5)", 5, False), ("[1..5)", 1, True), ("[1..5)", 4.99, True),
        ("[1..5[", 5, False), ("[1..5[", 4, True),
        ("(1..5)", 1, False), ("(1..5)", 5, False), ("(1..5)", 3, True),
        ("]1..5[", 1, False), ("]1..5[", 5, False), ("]1..5[", 2, True),
        ("[0.5..1.5]", 1.5, True), ("[0.5..1.5]", 1.51, False), ("[0.5..1.5]", Decimal("0.5"), True),
        ("[-5..-1]", -5, True), ("[-5..-1]", 0, False), ("[ 1 .. 5 ]", 2, True),
        ('[date("2026-01-01")..date("2026-06-30")]', D(2026, 6, 30), True),
        ('[date("2026-01-01")..date("2026-06-30")]', D(2026, 7, 1), False),
        ('(date("2026-01-01")..date("2026-06-30")]', D(2026, 1, 1), False),
        ('[date("2026-01-01")..date("2026-06-30")[', D(2026, 6, 30), False),
        ('[date("2026-01-01")..date("2026-06-30")[', D(2026, 6, 29), True),
        # comparisons
        ("< 5", 4, True), ("< 5", 5, False), ("<= 5", 5, True), ("<= 5", 6, False),
        ("> 5", 5, False), ("> 5", 6, True), (">= 5", 5, True), (">= 5", 4, False), ("<2.5", 2.4999, True),
        (">= -3", -3, True), ("< -3", -3, False),
        ('>= date("2026-07-01")', D(2026, 7, 1), True), ('>= date("2026-07-01")', D(2026, 6, 30), False),
        ('< date("2026-07-01")', D(2026, 6, 30), True),
        ('> "m"', "n", True), ('> "m"', "a", False),
        # any
        ("-", None, True), ("-", "x", True), ("", 3, True), ("  -  ", D(2025, 1, 1), True),
        # literals: equality
        ("5", 5, True), ("5", 5.0, True), ("5", 6, False), ("-5", -5, True), ("0.1", 0.1, True), ("2.50", 2.5, True),
        ('"a"', "a", True), ('"a"', "A", False), ('"Müller"', "Müller", True),
        ('"sagt \\"hallo\\""', 'sagt "hallo"', True), ('"a\\u00e4"', "aä", True),
        ('date("2026-07-01")', D(2026, 7, 1), True), ('date("2026-07-01")', D(2026, 7, 2), False),
        ('date and time("2026-07-01T10:00:00")', dt.datetime(2026, 7, 1, 10), True),
        # lists of tests
        ('"a","b"', "b", True), ('"a", "b"', "c", False), ("1, [3..5]", 1, True), ("1, [3..5]", 4, True),
        ("1, [3..5]", 2, False), ("< 0, > 10", -1, True), ("< 0, > 10", 11, True), ("< 0, > 10", 5, False),
        # negation
        ('not("a","b")', "c", True), ('not("a","b")', "a", False), ("not([1..5])", 6, True), ("not([1..5])", 3, False),
        ("not(< 5)", 7, True), ("not(< 5)", 2, False), ("not(null)", None, False), ("not(null)", 1, True),
        ("not(5)", None, True), ("not( 1, 2 )", 3, True),
        # null
        ("null", None, True), ("null", 0, False), ("null", "", False), ("null", False, False),
        # booleans
        ("true", True, True), ("true", False, False), ("false", False, True), ("false", True, False),
        ("false", None, False), ("true, false", False, True),
        # expressions with ?
        ("? > 3 and ? < 10", 5, True), ("? > 3 and ? < 10", 11, False), ('starts with(?, "Mü")', "Müller", True),
        ("string length(?) > 3", "abcd", True), ("? = null", None, True),
        # list literal and membership
        ("[1,2,3]", 2, True), ("[1,2,3]", 4, False), ('["a","b"]', "a", True), ("[]", 1, False),
        ("(1 + 2)", 3, True), ("(1 + 2) * 2", 6, True),
    ],
)  # fmt: skip
def test_unary_tests(text: str, value: object, expected: bool) -> None:
    assert matches(text, value) is expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("< 5", "abc"), ("< 5", D(2025, 1, 1)), ("[1..5]", "3"), ('"3"', 3), ("3", "3"),
        ('date("2026-01-01")', 20260101), ('< date("2026-01-01")', dt.datetime(2025, 1, 1)), ("true", 1),
        ("1", True), ("[1..5]", None), ("< 5", None), ('> "a"', 5), ("[1..5]", True),
        ('>= date("2026-01-01")', "2026-02-01"),
        # incompatible comparisons give null, which not() keeps null: still no match
        ('not("a")', 5), ("not(< 5)", "x"), ("not([1..5])", D(2025, 1, 1)),
        ('[date("2026-01-01")..5]', D(2026, 2, 1)),
    ],
)
def test_incompatible_types_do_not_match_and_do_not_raise(text: str, value: object) -> None:
    assert matches(text, value) is False


def test_entries_may_use_variables_and_passed_functions() -> None:
    assert matches(">= grenze", 18, grenze=18)
    assert not matches(">= grenze", 17, grenze=18)
    assert matches("[untergrenze..obergrenze]", 5, untergrenze=1, obergrenze=10)
    assert matches('>= fall.stichtag', D(2026, 1, 2), fall={"stichtag": D(2026, 1, 1)})
    # A boolean-valued expression without ? decides by itself, as in Camunda's FEEL engine.
    assert matches("alter > 18", "egal", alter=20)
    assert not matches("alter > 18", "egal", alter=10)
    tests = compile_unary_tests("< heute()")
    assert tests.matches(D(2025, 1, 1), {}, {"heute": lambda: D(2025, 6, 1)})
    assert not tests.matches(D(2025, 7, 1), {}, {"heute": lambda: D(2025, 6, 1)})


def test_unknown_name_in_an_entry_is_an_error_with_a_hint_about_quotes() -> None:
    with pytest.raises(DmnError, match="Unbekannte Eingabe 'hoch'"):
        matches("hoch", "hoch")
    decision = table("Stufe", [("stufe", "string")], [("ergebnis", "integer")], [(["hoch"], ["1"])])
    with pytest.raises(DmnError) as info:
        single(decision, {"stufe": "hoch"})
    assert "Regel »Stufe_R1«" in str(info.value)
    assert "Anführungszeichen" in str(info.value)
    assert info.value.rule_id == "Stufe_R1"
    assert info.value.decision_id == "Stufe"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("!= 5", "not(…)"), ("= 5", "nur den Wert"), ("[1..", "endet unerwartet"), ("[1..5", "Intervall endet"),
        ("1..5", "Unerwartetes '..'"), ('"offen', "nicht mit \" abgeschlossen"), ("'a'", "doppelten Anführungszeichen"),
        ("a == 1", "einfachen '='"), ("5 ** 2", "Potenz"), ("{a: 1}", "Kontexte"), ("${alter}", "JUEL"),
        (">", "endet unerwartet"), (",", "Unerwartetes ','"), ("not(", "endet unerwartet"), ("[1..5}", "Kontexte"),
        ('date("2025-02-30")', "kein gültiges Datum"), ('duration("6 Monate")', "keine ISO-8601-Dauer"),
        ("x.(", "Feldname"), ("1 < 2 < 3", "verketten"), ("-, 5", "allein"), ("5 5", "Unerwartetes"),
        ("date(1, 2)", "ein oder drei"), ("contains(1)", "erwartet 2 Argument"), ("a && b", "'and'"),
        ('"a" ! "b"', "not(…)"), ("x.y()", "Methodenaufrufe"), ("12abc", "Buchstabe"), ("1 % 2", "Rest"),
        ("if x then 1", "'else' erwartet"), ("Kunden Alter", "Leerzeichen"), ("then", "Unerwartetes 'then'"),
        ('date and time("2025-01-31T10:00:00@Mars/Olympus")', "kein gültiger Zeitpunkt"),
        ("\\", "Unerwartetes Zeichen"), ("[1..5] [", "Unerwartetes"), ("not(1) 2", "Unerwartetes"),
    ],
)  # fmt: skip
def test_refused_unary_tests_have_german_reasons(text: str, reason: str) -> None:
    with pytest.raises(DmnError) as info:
        compile_unary_tests(text)
    assert reason in str(info.value)
    assert str(info.value).startswith("Eingabezelle »")


# --------------------------------------------------------------------------- FEEL expressions


@pytest.mark.parametrize(
    ("text", "variables", "expected"),
    [
        ('if alter >= 18 then "volljährig" else "minderjährig"', {"alter": 18}, "volljährig"),
        ('if alter >= 18 then "volljährig" else "minderjährig"', {"alter": 17}, "minderjährig"),
        ('if alter >= 18 then "ja" else "nein"', {"alter": None}, "nein"),
        ("if a then 1 else if b then 2 else 3", {"a": False, "b": True}, 2),
        ("1 + 2 * 3", {}, 7), ("(1 + 2) * 3", {}, 9), ("10 / 4", {}, 2.5), ("8 / 4", {}, 2), ("7 - 10", {}, -3),
        ("0.1 + 0.2", {}, 0.3), ("x + 0.2", {"x": 0.1}, 0.3), ("-x", {"x": 4}, -4), ("- (2 - 5)", {}, 3),
        ("1 / 3 * 3", {}, 1.0), ("2.5 * 2", {}, 5), ("1 / 0", {}, None), ("1 + null", {}, None), ('"a" - 1', {}, None),
        ("fall.prioritaet", {"fall": {"prioritaet": 3}}, 3),
        ("fall.person.alter + 1", {"fall": {"person": {"alter": 40}}}, 41),
        ("fall.fehlt", {"fall": {}}, None),
        ("fall.kinder.alter", {"fall": {"kinder": [{"alter": 3}, {"alter": 7}]}}, [3, 7]),
        ("größe * 2", {"größe": 2}, 4), ("Maßnahme_1", {"Maßnahme_1": "x"}, "x"),
        ('"Frau " + name', {"name": "Öz"}, "Frau Öz"),
        ("alter = 18", {"alter": 18}, True), ("alter != 18", {"alter": 18}, False), ('"a" < "b"', {}, True),
        ('1 = "1"', {}, None), ("x = null", {"x": None}, True), ("null = 0", {}, False),
        ("true and null", {}, None), ("false and null", {}, False), ("true or null", {}, True),
        ("null or false", {}, None), ("true and true", {}, True), ("not(false)", {}, True), ("not(1)", {}, None),
        ("1 and true", {}, None),
        ("[1, 2, 3]", {}, [1, 2, 3]), ("[1, 2, 3][1]", {}, 1), ("[1, 2, 3][-1]", {}, 3), ("[1, 2][5]", {}, None),
        ("count([1, 2])", {}, 2), ("sum([1, 2.5])", {}, 3.5), ("max(1, 5, 3)", {}, 5), ("min([4, 2])", {}, 2),
        ("min([1, \"a\"])", {}, None), ("abs(-2.5)", {}, 2.5), ("floor(2.7)", {}, 2), ("ceiling(2.1)", {}, 3),
        ('upper case("jobcenter")', {}, "JOBCENTER"), ('contains("Jobcenter", "center")', {}, True),
        ('ends with("Jobcenter", "x")', {}, False), ('string(1.50)', {}, "1.5"), ('number("12.5") + 1', {}, 13.5),
        ("alter between 18 and 25", {"alter": 25}, True), ("alter between 18 and 25", {"alter": 26}, False),
        ("alter in [18..25]", {"alter": 20}, True), ("alter in (1, 2, > 20)", {"alter": 21}, True),
        ("alter in (1, 2, > 20)", {"alter": 5}, False), ("alter in (18..25)", {"alter": 18}, False),
        ("alter in < 5", {"alter": 3}, True),
        ('date("2025-01-31")', {}, D(2025, 1, 31)), ("date(2025, 1, 31)", {}, D(2025, 1, 31)),
        ('date(date and time("2025-01-31T23:59:00"))', {}, D(2025, 1, 31)),
        ('date("2025-01-31") + duration("P1M")', {}, D(2025, 2, 28)),
        ('date("2024-01-31") + duration("P1M")', {}, D(2024, 2, 29)),
        ('date("2025-03-31") - duration("P1M")', {}, D(2025, 2, 28)),
        ('date("2025-01-01") + duration("P14D")', {}, D(2025, 1, 15)),
        ('date("2025-01-01") + duration("PT1H")', {}, None),
        ('duration("P6M") + date("2025-08-31")', {}, D(2026, 2, 28)),
        ("termin + duration(frist)", {"termin": D(2025, 5, 31), "frist": "P1M"}, D(2025, 6, 30)),
        ('date and time("2025-01-31T10:00:00")', {}, dt.datetime(2025, 1, 31, 10)),
        ('date and time("2025-01-31T10:00:00Z")', {}, dt.datetime(2025, 1, 31, 10, tzinfo=dt.UTC)),
        ('date and time("2025-07-01T10:00:00@Europe/Berlin")', {},
         dt.datetime(2025, 7, 1, 10, tzinfo=ZoneInfo("Europe/Berlin"))),
        ('date and time("2025-01-31T10:00:00") + duration("P1M")', {}, dt.datetime(2025, 2, 28, 10)),
        ('date("2025-01-31").month', {}, 1), ('date("2025-01-31").weekday', {}, 5),
        ('date("2025-03-01") > date("2025-02-28")', {}, True),
        ('date("2025-03-01") > 5', {}, None),
        ('duration("P1Y") = duration("P12M")', {}, True), ('duration("P1M") > duration("P30D")', {}, None),
        ('duration("P2M") > duration("P1M")', {}, True),
    ],
)  # fmt: skip
def test_feel_expressions(text: str, variables: dict[str, object], expected: object) -> None:
    result = value_of(text, **variables)
    assert result == expected
    assert type(result) is type(expected)


def test_numbers_leave_as_int_when_whole_and_float_otherwise() -> None:
    assert type(value_of("4 / 2")) is int
    assert type(value_of("1.5 + 1")) is float
    assert value_of("1 / 3") == pytest.approx(1 / 3)


def test_durations_keep_months_and_print_as_iso() -> None:
    six_months = value_of('duration("P6M")')
    assert isinstance(six_months, FeelDuration)
    assert str(six_months) == "P6M"
    assert str(value_of('duration("P1Y2M3DT4H5M6.5S")')) == "P1Y2M3DT4H5M6.5S"
    assert str(value_of('date("2025-03-01") - date("2025-01-01")')) == "P59D"
    assert str(value_of('date("2025-01-01") - date("2025-03-01")')) == "-P59D"
    assert str(value_of('duration("-P1D")')) == "-P1D"
    assert value_of('duration("P1Y2M").months') == 2
    assert value_of('duration("P1Y2M").years') == 1
    assert D(2025, 1, 31) + six_months.delta() == D(2025, 7, 31)
    assert str(value_of('duration("PT0S")')) == "PT0S"


def test_passed_functions_are_called_and_cannot_shadow_built_ins() -> None:
    assert value_of("heute() + duration(\"P1D\")", {"heute": lambda: D(2025, 1, 31)}) == D(2025, 2, 1)
    assert value_of("abstand(2.5, 1)", {"abstand": lambda a, b: a - b}) == 1.5
    assert value_of('date("2025-01-01")', {"date": lambda text: "gefälscht"}) == D(2025, 1, 1)
    with pytest.raises(DmnError, match="Unbekannte Funktion 'morgen'"):
        value_of("morgen()")

    def broken() -> None:
        raise RuntimeError("kaputt")

    with pytest.raises(DmnError, match="Die Funktion 'defekt' ist fehlgeschlagen: kaputt"):
        value_of("defekt()", {"defekt": broken})


def test_unknown_input_name_is_an_error() -> None:
    with pytest.raises(DmnError, match="Unbekannte Eingabe 'alterx'"):
        value_of("alterx + 1", alter=3)
    decision = table("Alter", [("alterx", "integer")], [("ok", "boolean")], [(["-"], ["true"])])
    with pytest.raises(DmnError) as info:
        single(decision, {"alter": 30})
    assert "Unbekannte Eingabe 'alterx'" in str(info.value)
    assert "Entscheidung »Alter«" in str(info.value)
    assert info.value.rule_id is None
    # null is a value, not a missing input
    assert single(decision, {"alterx": None}).value is True


def test_only_mapping_fields_and_date_parts_are_reachable() -> None:
    class Secret:
        token = "geheim"

    assert value_of("obj.token", obj=Secret()) is None
    assert value_of("fall.keys", fall={"a": 1}) is None
    assert value_of("text.upper", text="abc") is None
    assert value_of('date("2025-01-31").toordinal') is None
    for text in ("x.__class__", "x.__class__.__base__", "_x", "__import__('os')", "x._y", "[]._len"):
        with pytest.raises(DmnError, match="Unterstrich"):
            compile_feel_expression(text)


# --------------------------------------------------------------------------- hostile text and limits


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("__import__('os')", "Unterstrich"),
        ("__import__('os').system('id')", "Unterstrich"),
        ("x.__class__", "Unterstrich"),
        ("(" * 500 + "1" + ")" * 500, "zu lang"),
        ("(" * 400 + "1" + ")" * 400, "zu tief verschachtelt"),
        ("(" * 31 + "1" + ")" * 31, "zu tief verschachtelt"),
        ("[" * 100 + "]" * 100, "zu tief verschachtelt"),
        ("not(" * 100 + "1" + ")" * 100, "zu tief verschachtelt"),
        ("- " * 100 + "1", "zu tief verschachtelt"),
        ("1" + " + 1" * 60, "zu tief verschachtelt"),
        ("x" * 10_000, "zu lang"),
        ('"' + "a" * 9_998 + '"', "zu lang"),
        (",".join(["1"] * 400), "zu viele Bestandteile"),
        ("1" * 40, "zu lang"),
        ("1" * 31, "zu groß"),
        ("0." + "1" * 36, "zu lang"),
        ("eval(\"1\")", "Unbekannte Funktion"),
    ],
)
def test_hostile_text_is_refused(text: str, reason: str) -> None:
    with pytest.raises(DmnError) as info:
        compile_unary_tests(text).matches(1, {"x": {}})
    assert reason in str(info.value)


def test_deep_nesting_within_the_limit_is_accepted() -> None:
    assert matches("(" * 25 + "1" + ")" * 25, 1)
    assert value_of("(" * 25 + "2" + ")" * 25 + " * 2") == 4


def test_results_are_bounded() -> None:
    big = 10**20
    with pytest.raises(DmnError, match="zu groß"):
        value_of("x * x", x=big)
    with pytest.raises(DmnError, match="zu lang"):
        value_of("s + s", s="a" * 6000)
    with pytest.raises(DmnError, match="zu groß"):
        value_of('duration("P999999Y")')
    with pytest.raises(DmnError, match="außerhalb des Kalenders"):
        value_of('date("9999-12-01") + duration("P1M")')
    with pytest.raises(DmnError, match="nicht endlich"):
        value_of("x + 1", x=float("nan"))


def test_hostile_fixture_is_refused_when_read() -> None:
    root = load("feindlich.dmn")
    with pytest.raises(DmnError) as info:
        read_decisions(root, "feindlich.dmn")
    assert "Rule_Import" in str(info.value)
    assert "__import__('os').system('id')" in str(info.value)
    findings = lint_dmn(root, "feindlich.dmn")
    assert [finding.element_id for finding in findings] == ["Rule_Import", "Rule_Klasse"]
    assert all("Unterstrich" in finding.message for finding in findings)


def test_fuzzed_unary_tests_only_raise_dmn_errors() -> None:
    pieces = [
        "[", "]", "(", ")", "..", ",", "-", "not", "not(", "<", "<=", ">", ">=", "=", "!=", "1", "2.5", "-3", '"a"',
        '"', "null", "true", "false", "date(", '"2025-01-31"', "?", "x", "x.y", "and", "or", "if", "then", "else",
        "+", "*", "/", "in", "between", "duration(", '"P1M"', "_", "__class__", "'", "$", "{", "date and time(",
        "count(", "[1..5]", "\\", "5[", "é", "...", "x[1]", "min(", "string(", "10000000000000000000000000000",
        '"2025-01-31T10:00:00@Europe/Berlin"', "upper case(", "**", "==", "#", "?.y",
    ]  # fmt: skip
    rng = random.Random(7)
    values: list[object] = [None, 3, 2.5, "a", True, D(2025, 1, 31), dt.datetime(2025, 1, 31, 10), [1, 2], {"y": 1}]
    compiled = 0
    for _ in range(2000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        try:
            tests = compile_unary_tests(text)
        except DmnError as error:
            assert str(error).startswith("Eingabezelle »")
            continue
        compiled += 1
        for value in values:
            try:
                assert tests.matches(value, {"x": {"y": 2}}) in (True, False)
            except DmnError as error:
                assert "fehlgeschlagen" not in str(error), (text, value, error)
    assert compiled > 50


# --------------------------------------------------------------------------- reading Modeler files


def test_reads_a_modeler_drd_with_two_linked_decisions() -> None:
    decisions = decisions_of("risiko_dringlichkeit.dmn")
    assert set(decisions) == {"Risiko", "Dringlichkeit"}
    risiko, dringlichkeit = decisions["Risiko"], decisions["Dringlichkeit"]
    assert risiko.name == "Risiko einschätzen"
    assert risiko.hit_policy == "UNIQUE"
    assert risiko.aggregation is None
    assert risiko.input_labels == ("Alter", "Monate im Leistungsbezug")
    assert [expression.source for expression in risiko.input_expressions] == ["alter", "fall.monate_im_bezug"]
    assert risiko.output_names == ("risiko",)
    assert risiko.output_values == (("hoch", "mittel", "niedrig"),)
    assert risiko.input_types == ("integer", "integer")
    assert isinstance(risiko.rules[0], Rule)
    assert risiko.rules[0].id == "Rule_jung_lang"
    assert risiko.rules[0].description == "unter 25, mindestens ein Jahr im Bezug"
    assert [tests.source for tests in risiko.rules[0].inputs] == ["< 25", ">= 12"]
    assert dringlichkeit.hit_policy == "FIRST"
    assert dringlichkeit.required == ("Risiko",)
    assert dringlichkeit.output_names == ("stufe", "frist_tage")
    assert dringlichkeit.output_values == (None, None)


def test_required_decision_value_is_available_under_its_id() -> None:
    decisions = decisions_of("risiko_dringlichkeit.dmn")
    young = {"alter": 22, "fall": {"monate_im_bezug": 14}, "termin": D(2026, 3, 1)}
    result = evaluate(decisions, "Dringlichkeit", young)
    assert result == DecisionResult("Dringlichkeit", ("Rule_hoch_vor_stichtag",),
                                    [{"stufe": "sofort", "frist_tage": 7}], {"stufe": "sofort", "frist_tage": 7})
    later = evaluate(decisions, "Dringlichkeit", {**young, "termin": D(2026, 7, 1)})
    assert later.value == {"stufe": "bald", "frist_tage": 14}
    middle = evaluate(decisions, "Dringlichkeit", {"alter": 30, "fall": {"monate_im_bezug": 30}, "termin": None})
    assert middle.value == {"stufe": "normal", "frist_tage": 28}
    low = evaluate(decisions, "Dringlichkeit", {"alter": 30, "fall": {"monate_im_bezug": 3}, "termin": None})
    assert low.value == {"stufe": "normal", "frist_tage": 42}
    assert evaluate(decisions, "Risiko", {"alter": 60, "fall": {"monate_im_bezug": 0}}).value == "hoch"


def test_dmn_1_2_namespace_is_accepted() -> None:
    text = (FIXTURES / "risiko_dringlichkeit.dmn").read_bytes().replace(DMN13.encode(), DMN12.encode())
    decisions = read_decisions(parse_xml(text, "alt.dmn"), "alt.dmn")
    assert set(decisions) == {"Risiko", "Dringlichkeit"}
    decision = table("Einfach", [("x", "integer")], [("y", "integer")], [(["[1..2]"], ["1"])])
    assert evaluate(read_decisions(document(decision, namespace=DMN12), "a.dmn"), "Einfach", {"x": 2}).value == 1


def test_required_decisions_are_evaluated_once_and_cycles_are_refused() -> None:
    calls: list[str] = []

    def zaehle(name: str) -> int:
        calls.append(name)
        return 1

    base = table("Basis", [], [("wert", "integer")], [([], ['zaehle("Basis")'])])
    left = table("Links", [("Basis", "integer")], [("wert", "integer")], [(["-"], ["Basis + 1"])], requires=("Basis",))
    right = table("Rechts", [("Basis", "integer")], [("wert", "integer")], [(["-"], ["Basis + 2"])],
                  requires=("Basis",))
    top = table("Oben", [("Links", "integer"), ("Rechts", "integer")], [("wert", "integer")],
                [(["-", "-"], ["Links * Rechts"])], requires=("Links", "Rechts"))
    decisions = read_decisions(document(base, left, right, top), "raute.dmn")
    assert evaluate(decisions, "Oben", {}, {"zaehle": zaehle}).value == 6
    assert calls == ["Basis"]

    looped = dict(decisions)
    looped["Basis"] = dataclasses.replace(decisions["Basis"], required=("Oben",))
    with pytest.raises(DmnError, match="im Kreis") as info:
        evaluate(looped, "Oben", {}, {"zaehle": zaehle})
    assert "Oben → Links → Basis → Oben" in str(info.value)

    cyclic = document(table("A", [], [("x", None)], [([], ["1"])], requires=("B",)),
                      table("B", [], [("x", None)], [([], ["1"])], requires=("A",)))
    findings = lint_dmn(cyclic, "kreis.dmn")
    assert len(findings) == 1
    assert "im Kreis" in findings[0].message
    with pytest.raises(DmnError, match="im Kreis"):
        read_decisions(cyclic, "kreis.dmn")


def test_unknown_decision_id_is_an_error() -> None:
    with pytest.raises(DmnError, match="Die Entscheidung »Gibtsnicht« gibt es nicht"):
        evaluate(decisions_of("risiko_dringlichkeit.dmn"), "Gibtsnicht", {})


# --------------------------------------------------------------------------- hit policies


@pytest.fixture(scope="module")
def policies() -> dict[str, Decision]:
    return decisions_of("trefferrichtlinien.dmn")


def test_unique(policies: dict[str, Decision]) -> None:
    assert evaluate(policies, "Unique_Stufe", {"punkte": 5}).value == "A"
    assert evaluate(policies, "Unique_Stufe", {"punkte": 15}).matched_rules == ("Rule_B",)
    assert evaluate(policies, "Unique_Stufe", {"punkte": 21}).value == "C"
    no_match = evaluate(policies, "Unique_Stufe", {"punkte": -1})
    assert no_match.value is None
    assert no_match.matched_rules == ()
    assert no_match.outputs == []


def test_unique_overlap_names_both_rules(policies: dict[str, Decision]) -> None:
    with pytest.raises(DmnError) as info:
        evaluate(policies, "Unique_Stufe", {"punkte": 10})
    message = str(info.value)
    assert "»Rule_A« und »Rule_B«" in message
    assert "UNIQUE" in message
    assert info.value.decision_id == "Unique_Stufe"
    assert info.value.rule_id == "Rule_A"
    assert isinstance(info.value, EngineError)


def test_any_accepts_agreeing_rules_and_refuses_conflicts(policies: dict[str, Decision]) -> None:
    agreeing = evaluate(policies, "Any_Stufe", {"punkte": 3})
    assert agreeing.value == "gering"
    assert agreeing.matched_rules == ("Rule_Any_gering", "Rule_Any_gering_2")
    assert evaluate(policies, "Any_Stufe", {"punkte": 12}).value == "mittel"
    assert evaluate(policies, "Any_Stufe", {"punkte": 13}).value is None
    with pytest.raises(DmnError) as info:
        evaluate(policies, "Any_Stufe", {"punkte": 9})
    assert "»Rule_Any_gering«" in str(info.value)
    assert "»Rule_Any_mittel«" in str(info.value)
    assert "ANY" in str(info.value)


def test_first() -> None:
    decisions = decisions_of("risiko_dringlichkeit.dmn")
    variables = {"alter": 60, "fall": {"monate_im_bezug": 0}, "termin": D(2026, 1, 1)}
    result = evaluate(decisions, "Dringlichkeit", variables)
    # Two rules match; FIRST takes the first in table order and evaluates no further.
    assert result.matched_rules == ("Rule_hoch_vor_stichtag",)
    assert len(result.outputs) == 1
    decision = table("Erste", [("x", "integer")], [("y", "string")], [(["> 5"], ['"a"'])], hit_policy="FIRST")
    assert single(decision, {"x": 1}).value is None


def test_priority_ranks_by_output_values(policies: dict[str, Decision]) -> None:
    # Beratung (rule 1) and Qualifizierung (rule 2) match; Qualifizierung is listed higher in outputValues.
    result = evaluate(policies, "Priority_Massnahme", {"profil": "aktivierung", "alter": 30})
    assert result.value == "Qualifizierung"
    assert result.matched_rules == ("Rule_P_Qualifizierung", "Rule_P_Beratung")
    assert evaluate(policies, "Priority_Massnahme", {"profil": "markt", "alter": 30}).value == "Vermittlung"
    assert evaluate(policies, "Priority_Massnahme", {"profil": "aktivierung", "alter": 60}).value == "Beratung"
    assert policies["Priority_Massnahme"].output_values == (("Vermittlung", "Qualifizierung", "Beratung"),)
    decision = table("Leer", [("x", "integer")], [("y", "string")], [(["> 5"], ['"a"'])], hit_policy="PRIORITY",
                     output_values={0: '"a","b"'})
    assert single(decision, {"x": 1}).value is None


def test_priority_with_several_outputs_ranks_lexicographically() -> None:
    decision = table(
        "Mehrfach", [("x", "integer")], [("stufe", "string"), ("frist", "integer")],
        [(["-"], ['"normal"', "14"]), (["> 0"], ['"hoch"', "28"]), (["> 5"], ['"hoch"', "7"])],
        hit_policy="PRIORITY", output_values={0: '"hoch","normal"', 1: "7, 14, 28"},
    )
    assert single(decision, {"x": 3}).value == {"stufe": "hoch", "frist": 28}
    assert single(decision, {"x": 9}).value == {"stufe": "hoch", "frist": 7}
    assert single(decision, {"x": -1}).value == {"stufe": "normal", "frist": 14}


def test_output_order_sorts_all_matches_by_output_values(policies: dict[str, Decision]) -> None:
    result = evaluate(policies, "OutputOrder_Massnahmen", {"profil": "aktivierung", "alter": 30})
    assert result.value == ["Vermittlung", "Qualifizierung", "Beratung"]
    assert result.matched_rules == ("Rule_O_Vermittlung", "Rule_O_Qualifizierung", "Rule_O_Beratung")
    assert evaluate(policies, "OutputOrder_Massnahmen", {"profil": "foerderung", "alter": 60}).value == ["Beratung"]


def test_rule_order_keeps_table_order(policies: dict[str, Decision]) -> None:
    result = evaluate(policies, "RuleOrder_Hinweise", {"kinder": 2, "alleinerziehend": True})
    assert result.value == ["Termin dokumentieren", "Kinderbetreuung klären", "Mehrbedarf prüfen"]
    assert result.matched_rules == ("Rule_R_Termin", "Rule_R_Kinder", "Rule_R_Mehrbedarf")
    assert evaluate(policies, "RuleOrder_Hinweise", {"kinder": 0, "alleinerziehend": False}).value == [
        "Termin dokumentieren"
    ]
    decision = table("Keine", [("x", "integer")], [("y", "string")], [(["> 5"], ['"a"'])], hit_policy="RULE ORDER")
    assert single(decision, {"x": 1}).value == []


def test_collect_without_aggregation_gives_dicts_for_several_outputs(policies: dict[str, Decision]) -> None:
    result = evaluate(policies, "Collect_Hinweise", {"kinder": 1, "alleinerziehend": True})
    assert result.value == [{"hinweis": "Kinderbetreuung klären", "prioritaet": 2},
                            {"hinweis": "Mehrbedarf prüfen", "prioritaet": 1}]
    assert result.outputs == result.value
    assert evaluate(policies, "Collect_Hinweise", {"kinder": 0, "alleinerziehend": False}).value == []


@pytest.mark.parametrize(
    ("decision_id", "variables", "expected"),
    [
        ("Collect_SUM", {"kinder": 3, "alter": 20}, 6.5),
        ("Collect_SUM", {"kinder": 1, "alter": 30}, 2.5),
        ("Collect_SUM", {"kinder": 0, "alter": 30}, 0),
        ("Collect_MIN", {"kinder": 3, "alter": 20}, 1),
        ("Collect_MIN", {"kinder": 3, "alter": 30}, 2),
        ("Collect_MIN", {"kinder": 0, "alter": 30}, None),
        ("Collect_MAX", {"kinder": 3, "alter": 20}, 3),
        ("Collect_MAX", {"kinder": 0, "alter": 20}, 1),
        ("Collect_MAX", {"kinder": 0, "alter": 30}, None),
        ("Collect_COUNT", {"kinder": 3, "alter": 20}, 3),
        ("Collect_COUNT", {"kinder": 1, "alter": 20}, 2),
        ("Collect_COUNT", {"kinder": 0, "alter": 30}, 0),
    ],
)
def test_collect_aggregations(policies: dict[str, Decision], decision_id: str, variables: dict[str, object],
                              expected: object) -> None:
    result = evaluate(policies, decision_id, variables)
    assert result.value == expected
    assert type(result.value) is type(expected)
    assert policies[decision_id].aggregation == decision_id.split("_")[1]


def test_collect_sum_is_exact_and_ignores_null() -> None:
    decision = table("Summe", [("x", "integer")], [("y", "double")],
                     [(["-"], ["0.1"]), (["-"], ["0.2"]), (["-"], ["null"]), (["> 5"], ["100"])],
                     hit_policy="COLLECT", aggregation="SUM")
    assert single(decision, {"x": 1}).value == 0.3
    mixed = table("Gemischt", [("x", "integer")], [("y", None)], [(["-"], ["1"]), (["-"], ['"a"'])],
                  hit_policy="COLLECT", aggregation="SUM")
    with pytest.raises(DmnError, match="SUM lässt sich nur über Zahlen bilden"):
        single(mixed, {"x": 1})


def test_collect_min_max_over_dates() -> None:
    decision = table("Termine", [("x", "integer")], [("termin", "date")],
                     [(["-"], ['date("2025-03-01")']), (["-"], ['"2025-01-15"'])],
                     hit_policy="COLLECT", aggregation="MIN")
    assert single(decision, {"x": 1}).value == D(2025, 1, 15)


# --------------------------------------------------------------------------- typeRef


def test_outputs_are_coerced_to_their_type_ref() -> None:
    decision = table(
        "Typen", [("x", None)],
        [("ganz", "integer"), ("lang", "long"), ("komma", "double"), ("datum", "date"), ("text", "string"),
         ("wahr", "boolean"), ("frei", None)],
        [(["-"], ["2.0", '"12"', "2", 'date("2025-01-31")', "5", '"true"', "2.5"])],
        hit_policy="FIRST",
    )
    value = single(decision, {"x": 1}).value
    assert value == {"ganz": 2, "lang": 12, "komma": 2.0, "datum": D(2025, 1, 31), "text": "5", "wahr": True,
                     "frei": 2.5}
    assert isinstance(value, dict)
    assert type(value["ganz"]) is int
    assert type(value["komma"]) is float


def test_inputs_are_coerced_to_their_type_ref_or_refused() -> None:
    decision = table("Eingabe", [("alter", "integer"), ("stichtag", "date")], [("ok", "boolean")],
                     [(["[18..25]", '< date("2026-01-01")'], ["true"])])
    assert single(decision, {"alter": 20.0, "stichtag": "2025-06-01"}).value is True
    assert single(decision, {"alter": "20", "stichtag": D(2025, 6, 1)}).value is True
    assert single(decision, {"alter": None, "stichtag": None}).value is None
    with pytest.raises(DmnError) as info:
        single(decision, {"alter": "zwanzig", "stichtag": None})
    assert "passt nicht zum Typ 'integer'" in str(info.value)
    assert "Eingabe »alter«" in str(info.value)
    with pytest.raises(DmnError, match="passt nicht zum Typ 'integer'"):
        single(decision, {"alter": 20.5, "stichtag": None})


def test_output_value_outside_its_type_is_refused_when_computed() -> None:
    decision = table("Rechnung", [("x", None)], [("y", "integer")], [(["-"], ["x / 2"])])
    assert single(decision, {"x": 4}).value == 2
    with pytest.raises(DmnError) as info:
        single(decision, {"x": 3})
    assert "Ausgabezelle 1 »x / 2«" in str(info.value)
    assert info.value.rule_id == "Rechnung_R1"


# --------------------------------------------------------------------------- read errors and lint


def test_broken_fixture_findings_name_rule_decision_and_entry() -> None:
    root = load("fehlerhaft.dmn")
    findings = lint_dmn(root, "fehlerhaft.dmn")
    assert all(isinstance(finding, Finding) for finding in findings)
    by_id = {finding.element_id: finding for finding in findings}
    assert list(by_id) == ["Rule_Kaputt_Intervall", "Rule_Kaputt_Text", "Rule_Kaputt_Ungleich", "Kaputt_Policy",
                           "Kaputt_Summe", "Kaputt_Abhaengig"]
    assert all(finding.file == "fehlerhaft.dmn" and finding.line for finding in findings)
    assert "»[1..«" in by_id["Rule_Kaputt_Intervall"].message
    assert "endet unerwartet" in by_id["Rule_Kaputt_Intervall"].message
    assert "Entscheidung »Kaputt_Syntax«" in by_id["Rule_Kaputt_Intervall"].message
    assert "nicht mit \" abgeschlossen" in by_id["Rule_Kaputt_Text"].message
    assert "not(…)" in by_id["Rule_Kaputt_Ungleich"].message
    assert "»BEST« ist unbekannt" in by_id["Kaputt_Policy"].message
    assert "genau eine Ausgabespalte" in by_id["Kaputt_Summe"].message
    assert "»GibtEsNicht« gibt es in dieser Datei nicht" in by_id["Kaputt_Abhaengig"].message
    line = (FIXTURES / "fehlerhaft.dmn").read_text().splitlines()[by_id["Rule_Kaputt_Intervall"].line - 1]
    assert "inputEntry" in line

    with pytest.raises(DmnError) as info:
        read_decisions(root, "fehlerhaft.dmn")
    message = str(info.value)
    assert message.startswith("fehlerhaft.dmn:")
    assert "Regel »Rule_Kaputt_Intervall«" in message
    assert "»[1..«" in message
    assert "(und 5 weitere Probleme)" in message
    assert info.value.decision_id == "Kaputt_Syntax"
    assert info.value.rule_id == "Rule_Kaputt_Intervall"


def test_clean_fixtures_have_no_findings() -> None:
    for name in ("risiko_dringlichkeit.dmn", "trefferrichtlinien.dmn"):
        assert lint_dmn(load(name), name) == []


@pytest.mark.parametrize(
    ("decision", "reason"),
    [
        (table("X", [("a", "integer")], [("y", "string"), ("z", "string")], [(["-"], ['"a"', '"b"'])],
               hit_policy="COLLECT", aggregation="COUNT"), "genau eine Ausgabespalte"),
        (table("X", [("a", "integer")], [("y", "integer")], [(["-"], ["1"])], hit_policy="FIRST", aggregation="SUM"),
         "nur bei der Trefferrichtlinie COLLECT"),
        (table("X", [("a", "integer")], [("y", "integer")], [(["-"], ["1"])], hit_policy="COLLECT",
               aggregation="AVG"), "»AVG« ist unbekannt"),
        (table("X", [("a", "integer")], [("y", "string")], [(["-"], ['"a"'])], hit_policy="PRIORITY"),
         "Liste der Ausgabewerte"),
        (table("X", [("a", "integer")], [("y", "string")], [(["-"], ['"c"'])], hit_policy="PRIORITY",
               output_values={0: '"a","b"'}), "steht nicht in der Liste der Ausgabewerte"),
        (table("X", [("a", "integer")], [("y", "string")], [(["-"], ['"c"'])], hit_policy="OUTPUT ORDER",
               output_values={0: "x, y"}), "nur eine Liste fester Werte"),
        (table("X", [("a", "integer")], [("y", "integer")], [(["-"], ['"hoch"'])]), "passt nicht zum Typ 'integer'"),
        (table("X", [("a", "integer")], [("y", "string")], [(['"18"'], ['"a"'])]), "Zahlen ohne Anführungszeichen"),
        (table("X", [("a", "date")], [("y", "string")], [(["< 5"], ['"a"'])]), "träfe nie zu"),
        (table("X", [("a", "boolean")], [("y", "string")], [(['"ja"'], ['"a"'])]), "träfe nie zu"),
        (table("X", [("a", "string")], [("y", "string")], [(["[1..5]"], ['"a"'])]), "träfe nie zu"),
        (table("X", [("a", "integer")], [("y", "string")], [(["-", "-"], ['"a"'])]), "2 Eingabe- und 1 Ausgabezellen"),
        (table("X", [("a", "zahl")], [("y", "string")], [(["-"], ['"a"'])]), "der Typ »zahl« ist unbekannt"),
        (table("X", [("a + ", "integer")], [("y", "string")], [(["-"], ['"a"'])]), "Ausdruck »a +«"),
        (table("X", [("a", "integer")], [("y", "string"), ("y", "string")], [(["-"], ['"a"', '"b"'])]),
         "mehrfach"),
        (table("X", [("a", "integer")], [("y", "string")], [(["-"], ["(" * 40 + "1" + ")" * 40])]),
         "zu tief verschachtelt"),
        (table("X", [("a", "integer")], [("y", "string")], [(["x" * 10_000], ['"a"'])]), "zu lang"),
    ],
)
def test_read_errors(decision: str, reason: str) -> None:
    error = read_error(decision)
    assert reason in str(error), str(error)
    assert error.decision_id == "X"
    assert lint_dmn(document(decision), "inline.dmn")[0].message in str(error)


def test_structural_read_errors() -> None:
    literal = ('<decision id="Literal" name="Literal"><variable name="x"/><literalExpression><text>1</text>'
               "</literalExpression></decision>")
    assert "keine Entscheidungstabelle" in str(read_error(literal))
    juel = table("Juel", [("a", "integer")], [("y", "integer")], [(["-"], ["1"])]).replace(
        "<inputExpression ", '<inputExpression expressionLanguage="juel" ')
    assert "Ausdruckssprache »juel«" in str(read_error(juel))
    findings = lint_dmn(parse_xml(b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>', "x.bpmn"),
                        "x.bpmn")
    assert "keine DMN-Datei" in findings[0].message
    assert "keine Entscheidung" in lint_dmn(document(), "leer.dmn")[0].message


def test_empty_output_entry_is_null_and_tables_without_inputs_always_match() -> None:
    decision = table("Leer", [], [("y", "string")], [([], [""])], hit_policy="FIRST")
    result = single(decision, {})
    assert result.matched_rules == ("Leer_R1",)
    assert result.value is None


def test_hit_policy_spelling_is_normalised() -> None:
    decision = table("Reihe", [("x", "integer")], [("y", "integer")], [(["-"], ["1"]), (["-"], ["2"])],
                     hit_policy="rule_order")
    assert single(decision, {"x": 0}).value == [1, 2]


def test_dmn_error_survives_pickling() -> None:
    error = DmnError("Entscheidung »A«: kaputt.", "A", "R1")
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.decision_id, copy.rule_id) == ("Entscheidung »A«: kaputt.", "A", "R1")


def test_evaluation_is_fast_enough() -> None:
    rules = [([f"[{i * 10}..{i * 10 + 9}]", f'"{"ab"[i % 2]}"'], [f'"stufe {i}"']) for i in range(100)]
    decision = table("Gross", [("punkte", "integer"), ("gruppe", "string")], [("stufe", "string")], rules)
    decisions = read_decisions(document(decision), "gross.dmn")
    start = time.perf_counter()
    for number in range(200):
        evaluate(decisions, "Gross", {"punkte": number * 5, "gruppe": "a"})
    assert time.perf_counter() - start < 2.0
