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

import yaml

from engine.runtime import dmn
from engine.simulation.scenario import ScenarioError, read_yaml
from engine.simulation.values import matches, plain


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
    rules: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.failures


def is_decision_test(path: Path) -> bool:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return False
    return isinstance(raw, dict) and "entscheidung" in raw


def load(path: Path, decisions: Mapping[str, dmn.Decision]) -> DecisionTest:
    file = str(path)
    node, raw = read_yaml(path)
    if not isinstance(raw, dict) or node is None:
        raise ScenarioError(file, 1, "Ein Entscheidungstest ist eine Zuordnung mit »entscheidung« und »faelle«.")
    decision = str(raw.get("entscheidung"))
    if decision not in decisions:
        raise ScenarioError(file, 1, f"Die Entscheidung »{decision}« gibt es nicht; bereitgestellt sind: "
                                     f"{', '.join(sorted(decisions))}.")
    items = raw.get("faelle")
    item_nodes = next((value.value for key, value in node.value if key.value == "faelle"), None)
    if not isinstance(items, list) or not items or item_nodes is None:
        raise ScenarioError(file, 1, "Ein Entscheidungstest braucht eine Liste »faelle« mit eingaben und erwartet.")
    cases = []
    for item, item_node in zip(items, item_nodes, strict=True):
        line = item_node.start_mark.line + 1
        if not isinstance(item, dict) or not isinstance(item.get("eingaben"), dict) or "erwartet" not in item:
            raise ScenarioError(file, line, "Jeder Fall hat »eingaben« (Zuordnung) und »erwartet«.")
        rule = item.get("regel")
        if rule is not None and rule not in {rule.id for rule in decisions[decision].rules}:
            raise ScenarioError(file, line, f"Die Regel »{rule}« gibt es in »{decision}« nicht.")
        cases.append(DecisionCase(str(item.get("name") or f"Fall in Zeile {line}"), line, item["eingaben"],
                                  item["erwartet"], rule))
    return DecisionTest(str(decision), file, tuple(cases))


def run(test: DecisionTest, decisions: Mapping[str, dmn.Decision]) -> DecisionResult:
    result = DecisionResult(test)
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
