"""DMN boxed expressions compiled to FEEL evaluators: literal expressions, contexts, invocations, function
definitions, relations, lists, decision tables and DMN 1.5's conditional, filter and iterators."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lxml import etree

from engine.runtime.dmn.typeref import Types
from engine.runtime.feel.standard import Env, Evaluator, compile_expression
from engine.runtime.feel.standard.operators import invoke
from engine.runtime.feel.standard.values import Function, all_of, any_of, checked_list
from engine.runtime.parsing import Problem

EXPRESSIONS = frozenset({"literalExpression", "context", "decisionTable", "invocation", "functionDefinition",
                         "relation", "list", "conditional", "filter", "for", "some", "every"})


def local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def children(element: etree._Element, *names: str) -> list[etree._Element]:
    return [child for child in element if local(child) in names]


def child(element: etree._Element, name: str) -> etree._Element | None:
    return next((item for item in element if local(item) == name), None)


def expression_of(element: etree._Element) -> etree._Element | None:
    return next((item for item in element if local(item) in EXPRESSIONS), None)


def text_of(element: etree._Element | None) -> str:
    if element is None:
        return ""
    found = child(element, "text")
    return (found.text or "") if found is not None else ""


class Compiler:
    """Compiles the boxed expressions of one model, knowing its names (for names with spaces) and types."""

    def __init__(self, names: Iterable[str], types: Types) -> None:
        self.names = set(names)
        self.types = types

    def compile(self, element: etree._Element | None, names: frozenset[str] = frozenset()) -> Evaluator:
        if element is None:
            return lambda env: None
        kind = local(element)
        scope = self.names | names
        if kind == "literalExpression":
            text = text_of(element)
            if not text.strip():
                return lambda env: None
            evaluator = compile_expression(text, scope, self.types.resolver)
            type_ref = element.get("typeRef")
            if type_ref:
                types = self.types
                return lambda env: types.conform(evaluator(env), type_ref)
            return evaluator
        if kind == "context":
            return self._context(element, names)
        if kind == "decisionTable":
            from engine.runtime.dmn.table import compile_table

            return compile_table(element, scope, self.types)
        if kind == "invocation":
            return self._invocation(element, names)
        if kind in ("functionDefinition", "encapsulatedLogic"):
            return self._function(element, names)
        if kind == "relation":
            return self._relation(element, names)
        if kind == "list":
            items = [self.compile(item, names) for item in element if local(item) in EXPRESSIONS]
            return lambda env: [item(env) for item in items]
        if kind == "conditional":
            return self._conditional(element, names)
        if kind == "filter":
            return self._filter(element, names)
        if kind in ("for", "some", "every"):
            return self._iterator(element, kind, names)
        raise Problem(f"Der Ausdruck <{kind}> wird nicht unterstützt.")

    def _wrapped(self, element: etree._Element, name: str, names: frozenset[str]) -> Evaluator:
        holder = child(element, name)
        if holder is None:
            raise Problem(f"<{local(element)}> ohne <{name}>.")
        return self.compile(expression_of(holder), names)

    def _context(self, element: etree._Element, names: frozenset[str]) -> Evaluator:
        entries: list[tuple[str | None, str | None, Evaluator]] = []
        known = set(names)
        for entry in children(element, "contextEntry"):
            variable = child(entry, "variable")
            name = variable.get("name") if variable is not None else None
            type_ref = variable.get("typeRef") if variable is not None else None
            entries.append((name, type_ref, self.compile(expression_of(entry), frozenset(known))))
            if name:
                known.add(name)
        types = self.types

        def run(env: Env) -> Any:
            result: dict[str, Any] = {}
            inner = env.child(result)
            for name, type_ref, value in entries:
                if name is None:
                    return value(inner)
                result[name] = types.conform(value(inner), type_ref)
            return result
        return run

    def _invocation(self, element: etree._Element, names: frozenset[str]) -> Evaluator:
        target = self.compile(expression_of(element), names)
        bindings: list[tuple[str, Evaluator]] = []
        for binding in children(element, "binding"):
            parameter = child(binding, "parameter")
            bindings.append(((parameter.get("name") or "") if parameter is not None else "",
                             self.compile(expression_of(binding), names)))

        def run(env: Env) -> Any:
            function = target(env)
            if not isinstance(function, Function):
                return None
            return invoke(function, None, {name: value(env) for name, value in bindings}, env)
        return run

    def _function(self, element: etree._Element, names: frozenset[str]) -> Evaluator:
        kind = (element.get("kind") or "FEEL").upper()
        if kind not in ("FEEL", "F"):
            raise Problem(f"Funktionen der Art »{kind}« (Java, PMML) werden nicht unterstützt.")
        params = [(item.get("name") or "", item.get("typeRef")) for item in children(element, "formalParameter")]
        body = self.compile(expression_of(element), names | {name for name, _ in params})
        types = self.types
        param_names = tuple(name for name, _ in params)

        def run(env: Env) -> Any:
            def call(args: dict[str, Any]) -> Any:
                converted = {}
                for name, type_ref in params:
                    value = args.get(name)
                    conformed = types.conform(value, type_ref)
                    if conformed is None and value is not None:
                        return None
                    converted[name] = conformed
                return body(env.child(converted))
            return Function("function", param_names, call, budget=env.budget)
        return run

    def _relation(self, element: etree._Element, names: frozenset[str]) -> Evaluator:
        columns = [item.get("name") or "" for item in children(element, "column")]
        rows = []
        for row in children(element, "row"):
            cells = [self.compile(item, names) for item in row if local(item) in EXPRESSIONS]
            if len(cells) != len(columns):
                raise Problem("Eine Zeile der Relation hat nicht so viele Zellen wie Spalten.")
            rows.append(cells)

        def run(env: Env) -> Any:
            return [{name: cell(env) for name, cell in zip(columns, cells, strict=True)} for cells in rows]
        return run

    def _conditional(self, element: etree._Element, names: frozenset[str]) -> Evaluator:
        test = self._wrapped(element, "if", names)
        then = self._wrapped(element, "then", names)
        other = self._wrapped(element, "else", names)

        def run(env: Env) -> Any:
            condition = test(env)
            if condition is not None and not isinstance(condition, bool):
                return None  # a boxed conditional's condition must be boolean (DMN 1.5, 8.3.4)
            return then(env) if condition is True else other(env)
        return run

    def _filter(self, element: etree._Element, names: frozenset[str]) -> Evaluator:
        source = self._wrapped(element, "in", names)
        match = self._wrapped(element, "match", names | {"item"})

        def run(env: Env) -> Any:
            items = source(env)
            if not isinstance(items, list):
                items = [items]
            kept = []
            for item in items:
                env.budget.step()
                layer = dict(item) if isinstance(item, dict) else {}
                layer.setdefault("item", item)
                result = match(env.child(layer))
                if result is not None and not isinstance(result, bool):
                    return None  # a filter's match must be boolean
                if result is True:
                    kept.append(item)
            return kept
        return run

    def _iterator(self, element: etree._Element, kind: str, names: frozenset[str]) -> Evaluator:
        variable = element.get("iteratorVariable") or ""
        domain = self._wrapped(element, "in", names)
        body = self._wrapped(element, "return" if kind == "for" else "satisfies", names | {variable, "partial"})

        def run(env: Env) -> Any:
            items = domain(env)
            if not isinstance(items, list):
                return None
            results: list[Any] = []
            for item in items:
                env.budget.step()
                results.append(body(env.child({variable: item, "partial": results})))
                checked_list(results)
            if kind == "for":
                return results
            if any(result is not None and not isinstance(result, bool) for result in results):
                return None
            return all_of(results) if kind == "every" else any_of(results)
        return run
