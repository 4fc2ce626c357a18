"""Which reader a deployed DMN file goes to, and one way for a business rule task to evaluate either.

Camunda 7 reads DMN 1.1 to 1.3 (what Camunda Modeler 5 writes); those files keep the Camunda-flavoured
reader (`reader`: decision tables with Camunda 7's FEEL behaviour, lint findings per cell), and what
it cannot run, e.g. a literal-expression decision, it refuses naming the decision. A file in the
DMN 1.4 or 1.5 namespace (which Camunda 7 does not read at all) is read as the standard defines it
(`drg.read_model`, standard FEEL, the whole decision requirements graph): decision tables, literal
expressions, contexts, invocations, business knowledge models, decision services.

Results reach the process as Camunda 7 hands them to a business rule task (`mapDecisionResult`):
one row per matched rule of a decision table, one entry (the decision's name) for any other boxed
expression. Standard FEEL numbers are decimals; they reach the process as int where whole and float
otherwise (Camunda 7: Long or Double); dates, times, text, booleans, lists and contexts keep their
kind. A value the process cannot hold (a function, a range, a duration) is an error naming the decision,
never a silent conversion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lxml import etree

from engine.runtime.clock import Clock
from engine.runtime.dmn import evaluation, reader
from engine.runtime.dmn.boxed import expression_of, local
from engine.runtime.dmn.drg import Model, read_model
from engine.runtime.dmn.model import Decision, DecisionResult
from engine.runtime.errors import DmnError, Finding

STANDARD_NAMESPACES = (
    "https://www.omg.org/spec/DMN/20230324/MODEL/",  # DMN 1.5
    "https://www.omg.org/spec/DMN/20211108/MODEL/",  # DMN 1.4
)


@dataclass(frozen=True)
class StandardDecision:
    """A decision of a standard model, as a business rule task calls it (by id)."""

    id: str
    name: str
    model: Model
    table: bool  # a decision table gives a row per matched rule; any other expression one entry
    aggregation: None = None  # Camunda's COLLECT aggregation is part of the standard table's value
    required: tuple[str, ...] = ()


DeployedDecision = Decision | StandardDecision


def is_standard(root: etree._Element) -> bool:
    return isinstance(root.tag, str) and etree.QName(root).namespace in STANDARD_NAMESPACES


def read_decisions(root: etree._Element, filename: str) -> dict[str, DeployedDecision]:
    """The decisions of a DMN file by id (by name where a standard decision has no id); raises DmnError."""
    if not is_standard(root):
        return dict(reader.read_decisions(root, filename))
    model = read_model(root, filename)
    decisions: dict[str, DeployedDecision] = {}
    for item in root:
        if isinstance(item.tag, str) and local(item) == "decision":
            name = model.ids.get(item.get("id") or "", (item.get("name") or "").strip())
            logic = expression_of(item)
            table = logic is not None and local(logic) == "decisionTable"
            decisions[item.get("id") or name] = StandardDecision(item.get("id") or name, name, model, table)
    return decisions


def decisions_of(documents: Iterable[Any]) -> dict[str, DeployedDecision]:
    """The decisions of every DMN document among `documents` (read model documents), by id."""
    return {key: value for document in documents if document.kind == "dmn"
            for key, value in read_decisions(document.root, document.file).items()}


def lint_dmn(root: etree._Element, filename: str) -> list[Finding]:
    """What `read_decisions` would refuse, as findings naming the element."""
    if not is_standard(root):
        return reader.lint_dmn(root, filename)
    try:
        read_model(root, filename)
    except DmnError as error:
        return [Finding(filename, error.decision_id, str(error))]
    return []


def evaluate(decisions: Mapping[str, DeployedDecision], decision_id: str,
             variables: Mapping[str, object], functions: Mapping[str, Callable[..., object]] | None = None,
             clock: Clock | None = None) -> DecisionResult:
    """Evaluate a deployed decision; raises only DmnError. `functions` serve Camunda-flavoured tables,
    `clock` the standard's now() and today()."""
    decision = decisions.get(decision_id)
    if not isinstance(decision, StandardDecision):
        return evaluation.evaluate(decisions, decision_id, variables, functions)  # type: ignore[arg-type]
    value = decision.model.evaluate(decision.name, variables, clock)
    if decision.table:
        rows = [] if value is None else value if isinstance(value, list) else [value]
        outputs = [{key: _plain(item, decision) for key, item in row.items()} if isinstance(row, dict)
                   else {decision.name: _plain(row, decision)} for row in rows]
    else:
        outputs = [{decision.name: _plain(value, decision)}]
    plain = outputs[0][decision.name] if not decision.table else [dict(row) for row in outputs]
    return DecisionResult(decision.id, (), outputs, plain)


def _plain(value: Any, decision: StandardDecision) -> Any:
    """A standard FEEL value as a process variable (see the module docstring)."""
    if value is None or isinstance(value, bool | str | dt.date | dt.time):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(item, decision) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item, decision) for key, item in value.items()}
    raise DmnError(f"Entscheidung »{decision.name}«: ihr Ergebnis ({type(value).__name__}) lässt sich nicht als "
                   "Prozessvariable speichern.", decision.id)
