"""A DMN decision table as standard FEEL runs it: input values checked, rules matched, every hit policy."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from lxml import etree

from engine.runtime.dmn.boxed import child, children, text_of
from engine.runtime.dmn.typeref import Types
from engine.runtime.feel.standard import Env, Evaluator, compile_expression, compile_tests
from engine.runtime.feel.standard.values import CONTEXT, equal, ordering
from engine.runtime.parsing import Problem

Test = Callable[[Any, Env], bool | None]
_POLICIES = {"U": "UNIQUE", "A": "ANY", "P": "PRIORITY", "F": "FIRST", "C": "COLLECT", "R": "RULE ORDER",
             "O": "OUTPUT ORDER"}


def _policy(table: etree._Element) -> tuple[str, str | None]:
    policy = " ".join((table.get("hitPolicy") or "UNIQUE").replace("_", " ").upper().split())
    policy = _POLICIES.get(policy, policy)
    aggregation = (table.get("aggregation") or "").strip().upper() or None
    return policy, aggregation


def _constants(text: str, names: Iterable[str]) -> list[Any] | None:
    """The values listed in outputValues (PRIORITY and OUTPUT ORDER order by them)."""
    if not text.strip():
        return None
    evaluator = compile_expression(f"[{text}]", names)
    values = evaluator(Env({}))
    return values if isinstance(values, list) else None


def compile_table(table: etree._Element, names: set[str] | frozenset[str], types: Types) -> Evaluator:
    policy, aggregation = _policy(table)
    inputs: list[tuple[Evaluator, Test | None, str | None]] = []
    for item in children(table, "input"):
        expression = child(item, "inputExpression")
        text = text_of(expression).strip()
        if not text:
            raise Problem("Eine Eingabespalte hat keinen Eingabeausdruck.")
        values_text = text_of(child(item, "inputValues")).strip()
        allowed = compile_tests(values_text, names) if values_text else None
        inputs.append((compile_expression(text, names), allowed,
                       expression.get("typeRef") if expression is not None else None))
    outputs: list[tuple[str, list[Any] | None, Evaluator | None, str | None]] = []
    for item in children(table, "output"):
        values = _constants(text_of(child(item, "outputValues")), names)
        default_text = text_of(child(item, "defaultOutputEntry")).strip()
        default = compile_expression(default_text, names) if default_text else None
        outputs.append((item.get("name") or "", values, default, item.get("typeRef")))
    rules: list[tuple[list[Test], list[Evaluator]]] = []
    for rule in children(table, "rule"):
        tests = [compile_tests(text_of(entry), names) for entry in children(rule, "inputEntry")]
        results = [compile_expression(text_of(entry).strip() or "null", names)
                   for entry in children(rule, "outputEntry")]
        if len(tests) != len(inputs) or len(results) != len(outputs):
            raise Problem("Eine Regel hat nicht so viele Zellen wie die Tabelle Spalten.")
        rules.append((tests, results))
    single = len(outputs) == 1

    def shape(row: list[Any]) -> Any:
        return row[0] if single else {name: value for (name, _, _, _), value in zip(outputs, row, strict=True)}

    def run(env: Env) -> Any:
        values = []
        for expression, allowed, type_ref in inputs:
            value = types.conform(expression(env), type_ref) if type_ref else expression(env)
            if allowed is not None and value is not None and allowed(value, env) is not True:
                raise Problem(f"Der Eingabewert {value!r} gehört nicht zu den erlaubten Werten.")
            values.append(value)
        matched: list[list[Any]] = []
        for tests, results in rules:
            env.budget.step()
            if all(test(value, env) is True for test, value in zip(tests, values, strict=True)):
                row = [types.conform(result(env), type_ref) if type_ref else result(env)
                       for result, (_, _, _, type_ref) in zip(results, outputs, strict=True)]
                for (_, allowed_values, _, _), value in zip(outputs, row, strict=True):
                    if allowed_values and value is not None and not any(
                            equal(value, candidate) is True for candidate in allowed_values):
                        raise Problem(f"Der Ausgabewert {value!r} gehört nicht zu den erlaubten Ausgabewerten.")
                matched.append(row)
                if policy == "FIRST":
                    break
        if not matched:
            if any(default is not None for _, _, default, _ in outputs):
                return shape([default(env) if default is not None else None for _, _, default, _ in outputs])
            if (policy == "COLLECT" and aggregation is None) or policy in ("RULE ORDER", "OUTPUT ORDER"):
                return []
            if policy == "COLLECT" and aggregation == "COUNT":
                return Decimal(0)
            return None
        if policy == "UNIQUE" and len(matched) > 1:
            raise Problem(f"Bei der Trefferrichtlinie UNIQUE treffen {len(matched)} Regeln zu.")
        if policy == "ANY" and any(equal(shape(row), shape(matched[0])) is not True for row in matched[1:]):
            raise Problem("Bei der Trefferrichtlinie ANY liefern die zutreffenden Regeln verschiedene Ergebnisse.")
        if policy in ("PRIORITY", "OUTPUT ORDER"):
            matched.sort(key=lambda row: _priority(row, outputs))
        if policy in ("UNIQUE", "ANY", "PRIORITY", "FIRST"):
            return shape(matched[0])
        rows = [shape(row) for row in matched]
        if policy == "COLLECT" and aggregation is not None:
            return _aggregate(aggregation, rows)
        return rows
    return run


_Output = tuple[str, list[Any] | None, Evaluator | None, str | None]


def _priority(row: list[Any], outputs: list[_Output]) -> tuple[int, ...]:
    key = []
    for (_, values, _, _), value in zip(outputs, row, strict=True):
        if values:
            key.append(next((index for index, candidate in enumerate(values) if equal(value, candidate) is True),
                            len(values)))
    return tuple(key)


def _aggregate(aggregation: str, rows: list[Any]) -> Any:
    if aggregation == "COUNT":
        return Decimal(len(rows))
    values = [value for value in rows if value is not None]
    if not values:
        return None
    if aggregation == "SUM":
        if not all(isinstance(value, Decimal) for value in values):
            return None
        total = Decimal(0)
        for value in values:
            total = CONTEXT.add(total, value)
        return total
    best = values[0]
    for value in values[1:]:
        order = ordering(value, best)
        if order is None:
            return None
        if order == (-1 if aggregation == "MIN" else 1):
            best = value
    return best
