"""What a DMN file declares, as the reader compiles it: decisions with their rules, and a decision's result."""

from __future__ import annotations

from dataclasses import dataclass

from engine.runtime.errors import DmnError
from engine.runtime.feel import FeelExpression, UnaryTests

__all__ = ["AGGREGATIONS", "HIT_POLICIES", "Decision", "DecisionResult", "DmnError", "Rule"]

HIT_POLICIES = ("UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER")
AGGREGATIONS = ("SUM", "MIN", "MAX", "COUNT")


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    inputs: tuple[UnaryTests, ...]
    outputs: tuple[FeelExpression, ...]


@dataclass(frozen=True)
class Decision:
    id: str
    name: str
    hit_policy: str
    aggregation: str | None
    input_expressions: tuple[FeelExpression, ...]
    input_labels: tuple[str, ...]
    output_names: tuple[str, ...]
    output_values: tuple[tuple[object, ...] | None, ...]
    rules: tuple[Rule, ...]
    required: tuple[str, ...]
    input_types: tuple[str | None, ...] = ()
    output_types: tuple[str | None, ...] = ()


@dataclass(frozen=True)
class DecisionResult:
    decision_id: str
    matched_rules: tuple[str, ...]
    outputs: list[dict[str, object]]
    value: object


