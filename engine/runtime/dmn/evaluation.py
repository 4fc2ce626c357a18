"""Evaluating a decision: required decisions first, then the rules under the table's hit policy."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from engine.runtime.dmn.model import Decision, DecisionResult, DmnError, Rule
from engine.runtime.dmn.types import coerce
from engine.runtime.feel.compiled import FeelExpression, UnaryTests
from engine.runtime.feel.interpreter import Scope
from engine.runtime.feel.values import equal, is_number, num, number_arithmetic, ordering, outbound, show
from engine.runtime.parsing import Problem, clip


def evaluate(
    decisions: Mapping[str, Decision],
    decision_id: str,
    variables: Mapping[str, object],
    functions: Mapping[str, Callable[..., object]] | None = None,
) -> DecisionResult:
    """Evaluate a decision, its required decisions first (each once); raises only DmnError.

    The value of every required decision is visible to the later ones under its decision id.
    """
    return _Evaluation(decisions, variables, functions or {}).decide(decision_id, ())


class _Evaluation:
    def __init__(self, decisions: Mapping[str, Decision], variables: Mapping[str, object],
                 functions: Mapping[str, Callable[..., object]]) -> None:
        self._decisions = decisions
        self._variables = variables
        self._functions = functions
        self._done: dict[str, DecisionResult] = {}

    def decide(self, decision_id: str, chain: tuple[str, ...]) -> DecisionResult:
        if decision_id in self._done:
            return self._done[decision_id]
        if decision_id in chain:
            path = " → ".join((*chain[chain.index(decision_id):], decision_id))
            raise DmnError(f"Die Entscheidungen hängen im Kreis voneinander ab: {path}.", decision_id)
        decision = self._decisions.get(decision_id)
        if decision is None:
            if chain:
                raise DmnError(f"Entscheidung »{chain[-1]}«: die benötigte Entscheidung »{decision_id}« gibt es "
                               "nicht.", chain[-1])
            raise DmnError(f"Die Entscheidung »{decision_id}« gibt es nicht.", decision_id)
        required = {name: self.decide(name, (*chain, decision_id)).value for name in decision.required}
        result = _Table(decision, Scope(required, self._variables), self._functions).run()
        self._done[decision_id] = result
        return result


class _Table:
    def __init__(self, decision: Decision, scope: Scope, functions: Mapping[str, Callable[..., object]]) -> None:
        self.decision = decision
        self.scope = scope
        self.functions = functions

    def _fail(self, message: str, rule_id: str | None = None) -> DmnError:
        return DmnError(f"Entscheidung »{self.decision.id}«{message}", self.decision.id, rule_id)

    def run(self) -> DecisionResult:
        decision = self.decision
        values = [self._input(index, expression) for index, expression in enumerate(decision.input_expressions)]
        matched: list[Rule] = []
        for rule in decision.rules:
            if all(self._matches(rule, index, tests, value)
                   for index, (tests, value) in enumerate(zip(rule.inputs, values, strict=True))):
                matched.append(rule)
                if decision.hit_policy == "FIRST":
                    break
        if decision.hit_policy == "UNIQUE" and len(matched) > 1:
            names = _enumerate(f"»{rule.id}«" for rule in matched)
            raise self._fail(f": bei der Trefferrichtlinie UNIQUE darf nur eine Regel zutreffen, es treffen aber "
                             f"{len(matched)} zu: {names}.", matched[0].id)
        outputs = [self._outputs(rule) for rule in matched]
        if decision.hit_policy in ("PRIORITY", "OUTPUT ORDER"):
            order = sorted(range(len(matched)), key=lambda i: self._priority(matched[i], outputs[i]))
            matched = [matched[i] for i in order]
            outputs = [outputs[i] for i in order]
        if decision.hit_policy == "ANY":
            for rule, output in zip(matched[1:], outputs[1:], strict=True):
                if not _same_outputs(output, outputs[0]):
                    raise self._fail(f": bei der Trefferrichtlinie ANY müssen alle zutreffenden Regeln dasselbe "
                                     f"Ergebnis liefern, aber »{matched[0].id}« ergibt {show(outputs[0])} und "
                                     f"»{rule.id}« ergibt {show(output)}.", rule.id)
        return DecisionResult(decision.id, tuple(rule.id for rule in matched), outputs, self._value(outputs))

    def _input(self, index: int, expression: FeelExpression) -> Any:
        label = self.decision.input_labels[index]
        try:
            value = expression.value_in(self.scope, self.functions)
            return coerce(value, _at(self.decision.input_types, index))
        except Problem as problem:
            raise self._fail(f", Eingabe »{label}« ({clip(expression.source)}): {problem.reason}") from None

    def _matches(self, rule: Rule, index: int, tests: UnaryTests, value: Any) -> bool:
        try:
            return tests.matches_in(value, self.scope, self.functions)
        except Problem as problem:
            reason = problem.reason
            if reason.startswith("Unbekannte Eingabe"):
                reason += " Texte stehen in doppelten Anführungszeichen, z. B. \"hoch\"."
            raise self._fail(f", Regel »{rule.id}«, Eingabezelle {index + 1} »{clip(tests.source.strip())}«: "
                             f"{reason}", rule.id) from None

    def _outputs(self, rule: Rule) -> dict[str, object]:
        result: dict[str, object] = {}
        for index, (name, expression) in enumerate(zip(self.decision.output_names, rule.outputs, strict=True)):
            try:
                value = expression.value_in(self.scope, self.functions)
                result[name] = coerce(value, _at(self.decision.output_types, index))
            except Problem as problem:
                raise self._fail(f", Regel »{rule.id}«, Ausgabezelle {index + 1} »{clip(expression.source)}«: "
                                 f"{problem.reason}", rule.id) from None
        return result

    def _priority(self, rule: Rule, output: Mapping[str, object]) -> tuple[int, ...]:
        key: list[int] = []
        for name, values in zip(self.decision.output_names, self.decision.output_values, strict=True):
            if values is None:
                continue
            position = rank(output[name], values)
            if position is None:
                raise self._fail(f", Regel »{rule.id}«: der Ausgabewert {show(output[name])} für »{name}« steht "
                                 f"nicht in der Liste der Ausgabewerte, nach der {self.decision.hit_policy} ordnet.",
                                 rule.id)
            key.append(position)
        return tuple(key)

    def _value(self, outputs: list[dict[str, object]]) -> object:
        decision = self.decision
        single = len(decision.output_names) == 1
        shaped: list[object] = [next(iter(output.values())) if single else output for output in outputs]
        if decision.hit_policy in ("UNIQUE", "FIRST", "ANY", "PRIORITY"):
            return shaped[0] if shaped else None
        if decision.aggregation is None:
            return shaped
        if decision.aggregation == "COUNT":
            return len(outputs)
        values = [value for value in shaped if value is not None]
        try:
            return _aggregate(decision.aggregation, values)
        except Problem as problem:
            raise self._fail(f": {problem.reason}") from None


def _enumerate(items: Iterable[str]) -> str:
    """»a«, »b« und »c«."""
    texts = list(items)
    return texts[0] if len(texts) == 1 else f"{', '.join(texts[:-1])} und {texts[-1]}"


def _at(types: tuple[str | None, ...], index: int) -> str | None:
    return types[index] if index < len(types) else None


def rank(value: object, values: tuple[object, ...]) -> int | None:
    """The position of a value in an output's list of values, by which PRIORITY and OUTPUT ORDER order."""
    for position, candidate in enumerate(values):
        if equal(value, candidate) is True:
            return position
    return None


def _same_outputs(left: Mapping[str, object], right: Mapping[str, object]) -> bool:
    return all(equal(left[name], right[name]) is True for name in left)


def _aggregate(aggregation: str, values: list[object]) -> object:
    if aggregation == "SUM":
        if not all(is_number(value) for value in values):
            raise Problem("SUM lässt sich nur über Zahlen bilden, die Ergebnisse sind "
                          f"{', '.join(show(value) for value in values)}.")
        total: int | Decimal | None = 0
        for value in values:
            total = number_arithmetic("+", num(total), num(value))
        return outbound(total)
    if not values:
        return None
    best = values[0]
    for value in values[1:]:
        order = ordering(value, best)
        if order is None:
            raise Problem(f"{aggregation} lässt sich über {show(best)} und {show(value)} nicht bilden "
                          "(verschiedene Typen).")
        if order == (-1 if aggregation == "MIN" else 1):
            best = value
    if ordering(best, best) is None:
        raise Problem(f"{aggregation} lässt sich über {show(best)} nicht bilden.")
    return best
