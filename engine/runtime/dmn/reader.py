"""Reading DMN files: every decision table compiled and checked, each problem a finding with its line."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from engine.runtime.dmn.evaluation import rank
from engine.runtime.dmn.model import AGGREGATIONS, HIT_POLICIES, Decision, DmnError, Rule
from engine.runtime.dmn.types import TYPE_REFS, coerce
from engine.runtime.errors import Finding
from engine.runtime.feel.compiled import FeelExpression, UnaryTests, read_expression, read_unary_tests
from engine.runtime.feel.interpreter import NOT_CONSTANT, constant_value
from engine.runtime.feel.syntax import CmpTest, ExprTest, Interval, Node
from engine.runtime.feel.values import TYPE_NAMES, kind_of, show
from engine.runtime.parsing import Problem, clip

DMN_NAMESPACES = (
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
)


@dataclass(frozen=True)
class _Issue:
    element_id: str | None
    decision_id: str | None
    rule_id: str | None
    message: str
    line: int | None


_NUMERIC_TYPES = frozenset({"integer", "long", "double", "number"})
_TYPE_KINDS = {"string": {"string"}, "boolean": {"boolean"}, "date": {"date", "date and time", "local date and time"}}


class _Reader:
    def __init__(self) -> None:
        self.issues: list[_Issue] = []

    def _issue(self, element: etree._Element, message: str, decision_id: str | None = None,
               rule_id: str | None = None) -> None:
        element_id = rule_id or decision_id or element.get("id")
        line = element.sourceline if isinstance(element.sourceline, int) else None
        self.issues.append(_Issue(element_id, decision_id, rule_id, message, line))

    def read(self, root: etree._Element) -> dict[str, Decision]:
        namespace = etree.QName(root).namespace if isinstance(root.tag, str) else None
        if namespace not in DMN_NAMESPACES or etree.QName(root).localname != "definitions":
            self._issue(root, "Die Datei ist keine DMN-Datei (erwartet wird <definitions> im DMN-Namensraum).")
            return {}
        ns = f"{{{namespace}}}"
        decisions: dict[str, Decision] = {}
        seen: set[str] = set()
        elements: dict[str, etree._Element] = {}
        for element in root.iterfind(f"{ns}decision"):
            decision_id = element.get("id") or ""
            if not decision_id:
                self._issue(element, "Eine Entscheidung hat keine id.")
                continue
            if decision_id in seen:
                self._issue(element, f"Die id »{decision_id}« ist doppelt vergeben.", decision_id)
                continue
            seen.add(decision_id)
            elements[decision_id] = element
            before = len(self.issues)
            decision = self._decision(element, decision_id, ns)
            if decision is not None and len(self.issues) == before:
                decisions[decision_id] = decision
        if not seen and not self.issues:
            self._issue(root, "Die Datei enthält keine Entscheidung.")
        for decision_id, element in elements.items():
            for required in self._required(element, ns):
                if required not in seen:
                    self._issue(element, f"Entscheidung »{decision_id}«: die benötigte Entscheidung »{required}« "
                                         "gibt es in dieser Datei nicht.", decision_id)
        self._check_cycles(elements, ns)
        return decisions

    @staticmethod
    def _required(element: etree._Element, ns: str) -> tuple[str, ...]:
        found: list[str] = []
        for requirement in element.iterfind(f"{ns}informationRequirement/{ns}requiredDecision"):
            href = (requirement.get("href") or "").strip()
            found.append(href[1:] if href.startswith("#") else href)
        return tuple(found)

    def _check_cycles(self, elements: Mapping[str, etree._Element], ns: str) -> None:
        graph = {decision_id: self._required(element, ns) for decision_id, element in elements.items()}
        reported: set[str] = set()
        for start in graph:
            path = _cycle_from(graph, start)
            if path and path[0] not in reported:
                reported.update(path)
                self._issue(elements[start], f"Die Entscheidungen hängen im Kreis voneinander ab: "
                                             f"{' → '.join(path)}.", start)

    def _decision(self, element: etree._Element, decision_id: str, ns: str) -> Decision | None:
        where = f"Entscheidung »{decision_id}«"
        table = element.find(f"{ns}decisionTable")
        if table is None:
            self._issue(element, f"{where} hat keine Entscheidungstabelle; nur Entscheidungstabellen werden "
                                 "unterstützt (keine literalen Ausdrücke).", decision_id)
            return None
        self._check_language(element, where, decision_id)
        hit_policy = " ".join((table.get("hitPolicy") or "UNIQUE").replace("_", " ").upper().split())
        if hit_policy not in HIT_POLICIES:
            self._issue(table, f"{where}: die Trefferrichtlinie »{table.get('hitPolicy')}« ist unbekannt "
                               f"(erlaubt: {', '.join(HIT_POLICIES)}).", decision_id)
        aggregation = (table.get("aggregation") or "").strip().upper() or None
        if aggregation is not None:
            if aggregation not in AGGREGATIONS:
                self._issue(table, f"{where}: die Aggregation »{table.get('aggregation')}« ist unbekannt "
                                   f"(erlaubt: {', '.join(AGGREGATIONS)}).", decision_id)
            elif hit_policy != "COLLECT":
                self._issue(table, f"{where}: eine Aggregation ({aggregation}) gibt es nur bei der "
                                   "Trefferrichtlinie COLLECT.", decision_id)
        inputs = [self._input(item, where, decision_id, index) for index, item in
                  enumerate(table.iterfind(f"{ns}input"), start=1)]
        outputs = [self._output(item, where, decision_id, index) for index, item in
                   enumerate(table.iterfind(f"{ns}output"), start=1)]
        if not outputs:
            self._issue(table, f"{where} hat keine Ausgabespalte.", decision_id)
        names = [name for name, _, _ in outputs]
        if len(outputs) > 1:
            for index, name in enumerate(names, start=1):
                if not name:
                    self._issue(table, f"{where}: Ausgabespalte {index} hat keinen Namen; bei mehreren Ausgaben "
                                       "braucht jede einen (Feld »Output Name«).", decision_id)
                elif names.index(name) != index - 1:
                    self._issue(table, f"{where}: der Ausgabename »{name}« kommt mehrfach vor.", decision_id)
        if aggregation is not None and len(outputs) > 1:
            self._issue(table, f"{where}: COLLECT mit Aggregation ({aggregation}) verlangt genau eine "
                               f"Ausgabespalte, die Tabelle hat {len(outputs)}.", decision_id)
        if hit_policy in ("PRIORITY", "OUTPUT ORDER") and outputs and all(values is None for _, _, values in outputs):
            self._issue(table, f"{where}: die Trefferrichtlinie {hit_policy} braucht eine Liste der Ausgabewerte "
                               "(»Output Values«), nach deren Reihenfolge sie ordnet.", decision_id)
        rules = []
        for rule_element in table.iterfind(f"{ns}rule"):
            rule = self._rule(rule_element, ns, where, decision_id, inputs, outputs, hit_policy)
            if rule is not None:
                rules.append(rule)
        if any(item is None for item in inputs):
            return None
        return Decision(
            id=decision_id,
            name=element.get("name") or decision_id,
            hit_policy=hit_policy,
            aggregation=aggregation,
            input_expressions=tuple(expression for expression, _, _ in inputs if expression is not None),
            input_labels=tuple(label for _, label, _ in inputs),
            output_names=tuple(names),
            output_values=tuple(values for _, _, values in outputs),
            rules=tuple(rules),
            required=self._required(element, ns),
            input_types=tuple(type_ref for _, _, type_ref in inputs),
            output_types=tuple(type_ref for _, type_ref, _ in outputs),
        )

    def _check_language(self, element: etree._Element, where: str, decision_id: str) -> None:
        for item in element.iter():
            language = item.get("expressionLanguage")
            if language and language.strip().lower() not in ("feel", "https://www.omg.org/spec/dmn/20191111/feel/",
                                                             "http://www.omg.org/spec/feel/20140401"):
                self._issue(item, f"{where}: die Ausdruckssprache »{language}« wird nicht unterstützt; "
                                  "nur FEEL.", decision_id)

    def _type_ref(self, element: etree._Element, where: str, decision_id: str) -> str | None:
        type_ref = (element.get("typeRef") or "").strip() or None
        if type_ref is not None and type_ref not in TYPE_REFS:
            self._issue(element, f"{where}: der Typ »{type_ref}« ist unbekannt (erlaubt: {', '.join(TYPE_REFS)}).",
                        decision_id)
            return None
        return type_ref

    def _input(self, element: etree._Element, where: str, decision_id: str,
               index: int) -> tuple[FeelExpression | None, str, str | None]:
        ns = etree.QName(element).namespace
        expression_element = element.find(f"{{{ns}}}inputExpression")
        text_element = expression_element.find(f"{{{ns}}}text") if expression_element is not None else None
        text = (text_element.text or "").strip() if text_element is not None else ""
        label = (element.get("label") or "").strip() or text or f"Eingabe {index}"
        place = f"{where}, Eingabe {index} »{clip(label, 40)}«"
        if expression_element is None or not text:
            self._issue(element, f"{place}: der Eingabeausdruck fehlt.", decision_id)
            return None, label, None
        type_ref = self._type_ref(expression_element, place, decision_id)
        expression = self._compile(read_expression, text, expression_element, f"{place}, Ausdruck", decision_id)
        values_element = element.find(f"{{{ns}}}inputValues/{{{ns}}}text")
        if values_element is not None and (values_element.text or "").strip():
            self._compile(read_unary_tests, values_element.text or "", values_element,
                          f"{place}, erlaubte Werte", decision_id)
        return expression, label, type_ref

    def _output(self, element: etree._Element, where: str, decision_id: str,
                index: int) -> tuple[str, str | None, tuple[object, ...] | None]:
        ns = etree.QName(element).namespace
        name = (element.get("name") or "").strip()
        place = f"{where}, Ausgabe {index} »{name or element.get('label') or index}«"
        type_ref = self._type_ref(element, place, decision_id)
        values_element = element.find(f"{{{ns}}}outputValues/{{{ns}}}text")
        values: tuple[object, ...] | None = None
        text = (values_element.text or "").strip() if values_element is not None else ""
        if values_element is not None and text:
            values = self._output_values(values_element, text, type_ref, f"{place}, Ausgabewerte", decision_id)
        return name or element.get("id") or f"output{index}", type_ref, values

    def _output_values(self, element: etree._Element, text: str, type_ref: str | None, place: str,
                       decision_id: str) -> tuple[object, ...] | None:
        tests = self._compile(read_unary_tests, text, element, place, decision_id)
        if tests is None:
            return None
        values: list[object] = []
        for item in tests.tests.items:
            constant = constant_value(item.node) if isinstance(item, ExprTest) else NOT_CONSTANT
            if constant is NOT_CONSTANT or tests.tests.negated:
                self._issue(element, f"{place} »{clip(text)}«: erlaubt ist nur eine Liste fester Werte, "
                                     "z. B. \"hoch\",\"mittel\",\"niedrig\".", decision_id)
                return None
            try:
                values.append(coerce(constant, type_ref))
            except Problem as problem:
                self._issue(element, f"{place} »{clip(text)}«: {problem.reason}", decision_id)
                return None
        return tuple(values)

    def _compile(self, compiler: Callable[[str], Any], text: str, element: etree._Element, place: str,
                 decision_id: str, rule_id: str | None = None) -> Any:
        try:
            return compiler(text)
        except Problem as problem:
            self._issue(element, f"{place} »{clip(text.strip())}«: {problem.reason}", decision_id, rule_id)
            return None

    def _rule(self, element: etree._Element, ns: str, where: str, decision_id: str,
              inputs: list[tuple[FeelExpression | None, str, str | None]],
              outputs: list[tuple[str, str | None, tuple[object, ...] | None]], hit_policy: str) -> Rule | None:
        rule_id = element.get("id") or ""
        if not rule_id:
            self._issue(element, f"{where}: eine Regel hat keine id.", decision_id)
            return None
        place = f"{where}, Regel »{rule_id}«"
        input_entries = element.findall(f"{ns}inputEntry")
        output_entries = element.findall(f"{ns}outputEntry")
        if len(input_entries) != len(inputs) or len(output_entries) != len(outputs):
            self._issue(element, f"{place} hat {len(input_entries)} Eingabe- und {len(output_entries)} Ausgabezellen, "
                                 f"die Tabelle aber {len(inputs)} Eingabe- und {len(outputs)} Ausgabespalten.",
                        decision_id, rule_id)
            return None
        tests: list[UnaryTests | None] = []
        for index, (entry, (_, _, type_ref)) in enumerate(zip(input_entries, inputs, strict=True), start=1):
            text = entry.findtext(f"{ns}text") or ""
            cell = f"{place}, Eingabezelle {index}"
            compiled = self._compile(read_unary_tests, text, entry, cell, decision_id, rule_id)
            if compiled is not None:
                self._check_test_types(compiled, type_ref, entry, cell, decision_id, rule_id)
            tests.append(compiled)
        results: list[FeelExpression | None] = []
        for index, (entry, (_, type_ref, values)) in enumerate(zip(output_entries, outputs, strict=True), start=1):
            text = (entry.findtext(f"{ns}text") or "").strip() or "null"
            cell = f"{place}, Ausgabezelle {index}"
            compiled_output = self._compile(read_expression, text, entry, cell, decision_id, rule_id)
            if compiled_output is not None:
                self._check_output(compiled_output, type_ref, values, hit_policy, entry, cell, decision_id, rule_id)
            results.append(compiled_output)
        if any(item is None for item in tests) or any(item is None for item in results):
            return None
        description = (element.findtext(f"{ns}description") or "").strip()
        return Rule(rule_id, description, tuple(t for t in tests if t is not None),
                    tuple(r for r in results if r is not None))

    def _check_test_types(self, tests: UnaryTests, type_ref: str | None, entry: etree._Element, cell: str,
                          decision_id: str, rule_id: str) -> None:
        """A literal that can never equal a value of the column's type is a mistake, e.g. "18" for an integer."""
        if type_ref is None:
            return
        allowed = {"number"} if type_ref in _NUMERIC_TYPES else _TYPE_KINDS.get(type_ref, set())
        for item in tests.tests.items:
            nodes: tuple[Node, ...] = ()
            if isinstance(item, CmpTest):
                nodes = (item.endpoint,)
            elif isinstance(item, Interval):
                nodes = (item.low, item.high)
            elif isinstance(item, ExprTest) and not item.uses_input:
                nodes = (item.node,)
            for node in nodes:
                constant = constant_value(node)
                values = constant if isinstance(constant, list) else [constant]
                if constant is NOT_CONSTANT:
                    continue
                for value in values:
                    kind = kind_of(value)
                    if kind != "null" and kind not in allowed:
                        self._issue(entry, f"{cell} »{clip(tests.source.strip())}«: {TYPE_NAMES[kind]} passt "
                                           f"nicht zum Typ '{type_ref}' der Eingabe; die Regel träfe nie zu"
                                           + (" (Zahlen ohne Anführungszeichen schreiben)." if kind == "string"
                                              and type_ref in _NUMERIC_TYPES else "."), decision_id, rule_id)
                        return

    def _check_output(self, expression: FeelExpression, type_ref: str | None, values: tuple[object, ...] | None,
                      hit_policy: str, entry: etree._Element, cell: str, decision_id: str, rule_id: str) -> None:
        constant = constant_value(expression.tree)
        if constant is NOT_CONSTANT:
            return
        try:
            value = coerce(constant, type_ref)
        except Problem as problem:
            self._issue(entry, f"{cell} »{clip(expression.source)}«: {problem.reason}", decision_id, rule_id)
            return
        if values is not None and hit_policy in ("PRIORITY", "OUTPUT ORDER") and rank(value, values) is None:
            self._issue(entry, f"{cell} »{clip(expression.source)}«: der Wert steht nicht in der Liste der "
                               f"Ausgabewerte ({', '.join(show(v) for v in values)}), nach der {hit_policy} "
                               "ordnet.", decision_id, rule_id)


def _cycle_from(graph: Mapping[str, tuple[str, ...]], start: str) -> list[str] | None:
    """A dependency path from `start` back to itself, if there is one."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for following in graph.get(node, ()):
            if following == start:
                return [*path, start]
            if following not in seen:
                seen.add(following)
                stack.append((following, [*path, following]))
    return None


def _issues(root: etree._Element) -> tuple[dict[str, Decision], list[_Issue]]:
    reader = _Reader()
    try:
        decisions = reader.read(root)
    except RecursionError:
        reader.issues.append(_Issue(None, None, None, "Die Datei ist zu tief verschachtelt.", None))
        decisions = {}
    return decisions, reader.issues


def read_decisions(root: etree._Element, filename: str) -> dict[str, Decision]:
    """All decisions of a DMN file, compiled; raises DmnError naming the first problem (see lint_dmn for all)."""
    decisions, issues = _issues(root)
    if issues:
        first = issues[0]
        more = {1: "", 2: " (und ein weiteres Problem)"}.get(len(issues), f" (und {len(issues) - 1} weitere Probleme)")
        line = f":{first.line}" if first.line is not None else ""
        raise DmnError(f"{filename}{line}: {first.message}{more}", first.decision_id, first.rule_id)
    return decisions


def lint_dmn(root: etree._Element, filename: str) -> list[Finding]:
    """Every problem read_decisions would refuse, as findings (file, rule or decision id, sentence, line)."""
    _, issues = _issues(root)
    return [Finding(filename, issue.element_id, issue.message, line=issue.line) for issue in issues]


