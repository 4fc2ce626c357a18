"""Decision-table tests as YAML rows: inputs and the expected outputs, run by `sro simulate` too.

    entscheidung: Leistungsminderung
    faelle:
      - name: Erste Pflichtverletzung im Bürgergeld
        eingaben: {stichtag: 2025-05-10, art: pflichtverletzung, fruehereMinderungen: 0, ...}
        erwartet: {prozent: 10, monate: 1, folge: minderung}
        regel: Rule_Minderung_Buergergeld_Erste   # optional: the rule that must decide
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.runtime import dmn
from engine.simulation.values import matches, plain
from engine.simulation.yamlfile import ScenarioError, YamlFile, read_yaml


@dataclass(frozen=True)
class DecisionCase:
    name: str
    line: int
    inputs: Mapping[str, Any]
    expected: Any
    rule: str | None


@dataclass(frozen=True)
class DecisionTest:
    decision: str
    file: str
    cases: tuple[DecisionCase, ...]


@dataclass
class DecisionResult:
    test: DecisionTest
    failures: list[str] = field(default_factory=list)
    rules: set[str] = field(default_factory=set)  # rules the cases hit
    all_rules: int = 0  # rules the table has

    @property
    def ok(self) -> bool:
        return not self.failures


def load(source: Path | YamlFile, decisions: Mapping[str, dmn.DeployedDecision]) -> DecisionTest:
    """Check a decision test (a path, or a file already read) against the deployed decision tables."""
    read = source if isinstance(source, YamlFile) else read_yaml(source)
    raw = read.value
    if not isinstance(raw, dict):
        raise read.error("Ein Entscheidungstest ist eine Zuordnung mit »entscheidung« und »faelle«.")
    decision = str(raw.get("entscheidung"))
    if decision not in decisions:
        raise read.error(f"Die Entscheidung »{decision}« gibt es nicht; bereitgestellt sind: "
                         f"{', '.join(sorted(decisions))}.")
    table = decisions[decision]
    if not isinstance(table, dmn.Decision):
        raise read.error(f"»{decision}« ist eine Entscheidung nach DMN 1.4/1.5; Entscheidungstests mit Regelabdeckung "
                         "gibt es für Entscheidungstabellen nach DMN 1.1 bis 1.3 (Camunda Modeler). Bitte die "
                         "Entscheidung in einem Szenario prüfen.")
    items = raw.get("faelle")
    if not isinstance(items, list) or not items:
        raise read.error("Ein Entscheidungstest braucht eine Liste »faelle« mit eingaben und erwartet.")
    cases = []
    for index, item in enumerate(items):
        line = read.line("faelle", index) or 1
        if not isinstance(item, dict) or not isinstance(item.get("eingaben"), dict) or "erwartet" not in item:
            raise ScenarioError(read.file, line, "Jeder Fall hat »eingaben« (Zuordnung) und »erwartet«.")
        rule = item.get("regel")
        if rule is not None and rule not in {rule.id for rule in table.rules}:
            raise ScenarioError(read.file, line, f"Die Regel »{rule}« gibt es in »{decision}« nicht.")
        cases.append(DecisionCase(str(item.get("name") or f"Fall in Zeile {line}"), line, item["eingaben"],
                                  item["erwartet"], rule))
    return DecisionTest(decision, read.file, tuple(cases))


def run(test: DecisionTest, decisions: Mapping[str, dmn.DeployedDecision]) -> DecisionResult:
    table = decisions[test.decision]
    result = DecisionResult(test, all_rules=len(table.rules) if isinstance(table, dmn.Decision) else 0)
    for case in test.cases:
        try:
            outcome = dmn.evaluate(decisions, test.decision, dict(case.inputs))
        except dmn.DmnError as error:
            result.failures.append(f"{test.file}:{case.line}: {case.name}: {error}")
            continue
        result.rules.update(outcome.matched_rules)
        if case.rule is not None and (not outcome.matched_rules or outcome.matched_rules[0] != case.rule):
            result.failures.append(f"{test.file}:{case.line}: {case.name}: erwartet entschied Regel »{case.rule}«, "
                                   f"tatsächlich {list(outcome.matched_rules) or 'keine'}")
        if not matches(outcome.value, case.expected):
            result.failures.append(f"{test.file}:{case.line}: {case.name}: erwartet {case.expected!r}, "
                                   f"tatsächlich {plain(outcome.value)!r}")
    return result
