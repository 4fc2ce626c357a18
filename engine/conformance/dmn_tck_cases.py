"""The DMN TCK's test files read into cases, and a result compared with the expected value as TCK runners do.

A test file (`*-test-*.xml`, namespace http://www.omg.org/spec/DMN/20160719/testcase) names a model and
holds test cases: input nodes (a value, components of a structure, or a list) and result nodes with the
expected value; `errorResult="true"` marks a result that must be an error (or null).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lxml import etree

from engine.runtime.xmlsafe import parse_xml

XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


@dataclass(frozen=True)
class Result:
    name: str
    expected: Any
    error: bool  # errorResult="true"


@dataclass(frozen=True)
class Case:
    id: str
    kind: str  # "decision", "bkm" or "decisionService"
    invocable: str | None
    inputs: dict[str, Any]
    results: tuple[Result, ...]


@dataclass(frozen=True)
class TestFile:
    path: Path
    model: str
    cases: tuple[Case, ...]


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child) == name]


def read_value(holder: etree._Element) -> Any:
    """The value an inputNode, expected, component or item holds: a value, a structure or a list."""
    for child in holder:
        name = _local(child)
        if name == "value":
            return _scalar(child)
        if name == "list":
            return [read_value(item) for item in _children(child, "item")]
    components = _children(holder, "component")
    if components:
        return {component.get("name") or "": read_value(component) for component in components}
    return None


def _scalar(element: etree._Element) -> Any:
    if element.get(XSI_NIL) == "true":
        return None
    text = element.text or ""
    xsd = (element.get(XSI_TYPE) or "").split(":")[-1]
    try:
        if xsd in ("decimal", "double", "integer", "int", "long", "float"):
            return Decimal(text.strip())
        if xsd == "boolean":
            return text.strip() == "true"
        if xsd in ("date", "dateTime", "time", "duration", "dayTimeDuration", "yearMonthDuration"):
            return Temporal(xsd, text.strip())
    except (InvalidOperation, ValueError):
        return text
    if not xsd and len(element):  # a value without type holding components (rare)
        return read_value(element)
    return text


@dataclass(frozen=True)
class Temporal:
    """A date, time, date-time or duration as the test file writes it; the engine's FEEL reads the text."""

    xsd: str
    text: str


def read_test_file(path: Path) -> TestFile:
    root = parse_xml(path.read_bytes(), path.name)
    model = next((child.text or "" for child in root if _local(child) == "modelName"), "").strip()
    cases = []
    for element in _children(root, "testCase"):
        inputs = {node.get("name") or "": read_value(node) for node in _children(element, "inputNode")}
        results = []
        for node in _children(element, "resultNode"):
            expected = next((read_value(child) for child in node if _local(child) == "expected"), None)
            results.append(Result(node.get("name") or "", expected, node.get("errorResult") == "true"))
        cases.append(Case(element.get("id") or "", element.get("type") or "decision", element.get("invocableName"),
                          inputs, tuple(results)))
    return TestFile(path, model, tuple(cases))


def same(actual: Any, expected: Any) -> bool:
    """Whether a result matches the expected value: numbers to 10 significant decimals after rounding, as
    the TCK's own runners compare (the expected values are written with 15 or more digits)."""
    if expected is None:
        return actual is None
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(
            same(a, e) for a, e in zip(actual, expected, strict=True))
    if isinstance(expected, dict):
        return isinstance(actual, dict) and set(actual) == set(expected) and all(
            same(actual[key], value) for key, value in expected.items())
    if isinstance(expected, bool):
        return actual is expected
    if isinstance(expected, Decimal):
        if isinstance(actual, bool) or not isinstance(actual, int | float | Decimal):
            return False
        number = Decimal(str(actual)) if isinstance(actual, float) else Decimal(actual)
        if number == expected or abs(number - expected) <= max(abs(expected), Decimal(1)) * Decimal("1e-12"):
            return True
        # The expected values are often written to fewer digits (54.59815003 for exp(4)): compare at theirs.
        exponent = expected.as_tuple().exponent
        if isinstance(exponent, int) and exponent < 0:
            try:
                return number.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP) == expected
            except InvalidOperation:
                return False
        return False
    if isinstance(expected, Temporal):
        return _temporal_text(actual) == _normal_temporal(expected)
    if isinstance(expected, str):
        return isinstance(actual, str) and actual == expected
    return bool(actual == expected)


def _normal_temporal(expected: Temporal) -> str:
    return expected.text


def _temporal_text(actual: Any) -> str | None:
    if isinstance(actual, dt.date | dt.time | dt.datetime):
        return None
    text = getattr(actual, "feel_text", None)
    return text() if callable(text) else None
