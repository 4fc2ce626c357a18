"""Camunda 7 input/output mappings (`camunda:inputOutput`) without scripts, run as Camunda runs them.

An input parameter is a LOCAL variable of the activity: set when the activity begins (from a
constant text, an expression `${...}`, text with embedded expressions, a list or a map), visible
inside it (a subprocess's elements see it too) and gone when it ends. An output parameter is
evaluated when the activity ends, with the local variables still visible, and set in the
surrounding scope. SpiffWorkflow copies task data along the path and has no scopes; its hooks for
data associations (`data_input_associations`: read when a task becomes ready, and
`data_output_associations`: written when it completes) are where these mappings are attached, so
nothing in the library is patched. Scripts in a mapping are refused by lint.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask

from engine.runtime import expressions
from engine.runtime.model import CAMUNDA_NS

_MISSING = "__sro_missing__"


@dataclass(frozen=True)
class Value:
    """A parameter's value as written: kind is text, expression, null, list or map."""

    kind: str
    text: str = ""
    items: tuple[tuple[str, Value], ...] = ()  # list: ("", value); map: (key, value)


@dataclass(frozen=True)
class Parameter:
    name: str
    value: Value


def _value(node: etree._Element) -> Value:
    children = [child for child in node if isinstance(child.tag, str)]
    if children:
        child = children[0]
        tag = etree.QName(child).localname
        if tag == "list":
            return Value("list", items=tuple(("", _value(item)) for item in child if isinstance(item.tag, str)))
        if tag == "map":
            return Value("map", items=tuple((entry.get("key", ""), _value(entry)) for entry in child
                                            if isinstance(entry.tag, str)))
        return Value("script")  # refused by lint; never evaluated
    text = node.text or ""
    if not text.strip() and not children:
        return Value("null")
    return Value("template", text)


def parameters(element: etree._Element) -> tuple[tuple[Parameter, ...], tuple[Parameter, ...]]:
    """The input and output parameters of an element's own `camunda:inputOutput` (not a connector's)."""
    extension = element.find("{http://www.omg.org/spec/BPMN/20100524/MODEL}extensionElements")
    if extension is None:
        return (), ()
    mapping = extension.find(f"{{{CAMUNDA_NS}}}inputOutput")
    if mapping is None:
        return (), ()
    inputs = tuple(Parameter(node.get("name", ""), _value(node))
                   for node in mapping.iterfind(f"{{{CAMUNDA_NS}}}inputParameter"))
    outputs = tuple(Parameter(node.get("name", ""), _value(node))
                    for node in mapping.iterfind(f"{{{CAMUNDA_NS}}}outputParameter"))
    return inputs, outputs


def expressions_of(value: Value) -> Iterable[str]:
    """Every `${...}` text in a value, for lint."""
    if value.kind == "template":
        yield from template_parts(value.text)[1]
    for _, item in value.items:
        yield from expressions_of(item)


def template_parts(text: str) -> tuple[list[str], list[str]]:
    """Split text with embedded expressions into literal pieces and expressions (`a_${x}_b`)."""
    literals: list[str] = []
    found: list[str] = []
    rest = text
    while True:
        start = min((index for index in (rest.find("${"), rest.find("#{")) if index >= 0), default=-1)
        if start < 0:
            literals.append(rest)
            return literals, found
        end = _closing(rest, start)
        if end < 0:
            literals.append(rest)
            return literals, found
        literals.append(rest[:start])
        found.append(rest[start:end + 1])
        rest = rest[end + 1:]


def _closing(text: str, start: int) -> int:
    quote = ""
    for index in range(start + 2, len(text)):
        char = text[index]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "}":
            return index
    return -1


def render(text: str, evaluate: Any) -> Any:
    """A text's value: the expression's value if the text is one `${...}`, else the text with each
    embedded expression replaced by its value (Camunda's composite expressions); plain text as is."""
    if expressions.unwrap(text)[1]:
        return evaluate(text.strip())
    literals, found = template_parts(text)
    if not found:
        return text
    pieces = [literals[0]]
    for expression, literal in zip(found, literals[1:], strict=True):
        value = evaluate(expression)
        pieces.append("" if value is None else _text(value))
        pieces.append(literal)
    return "".join(pieces)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def value_of(value: Value, evaluate: Any) -> Any:
    if value.kind == "null":
        return None
    if value.kind == "template":
        return render(value.text, evaluate)
    if value.kind == "list":
        return [value_of(item, evaluate) for _, item in value.items]
    if value.kind == "map":
        return {key: value_of(item, evaluate) for key, item in value.items}
    raise ValueError("scripts are refused by lint")


def _evaluator(task: Any) -> Any:
    def evaluate(text: str) -> Any:
        return task.workflow.script_engine.evaluate(task, text)

    return evaluate


class LocalInputs:
    """Sets the input parameters as the activity becomes ready, remembering what they hide."""

    bpmn_id = "__sro_inputs__"  # the library pops this name after completion; no such variable exists

    def __init__(self, inputs: tuple[Parameter, ...]) -> None:
        self.inputs = inputs

    def get(self, task: Any) -> None:
        if "sro_hidden" in task.internal_data:
            return  # already set (the hook runs on every update while the task waits)
        evaluate = _evaluator(task)
        values = {parameter.name: value_of(parameter.value, evaluate) for parameter in self.inputs}
        task.internal_data["sro_hidden"] = {name: task.data.get(name, _MISSING) for name in values}
        task.data.update(values)


class OutputMappings:
    """At completion: evaluates the outputs with the locals visible, then drops the locals."""

    def __init__(self, outputs: tuple[Parameter, ...]) -> None:
        self.outputs = outputs
        self.bpmn_id = "__sro_outputs__"

    def set(self, task: Any) -> None:
        evaluate = _evaluator(task)
        values = {parameter.name: value_of(parameter.value, evaluate) for parameter in self.outputs}
        hidden: Mapping[str, Any] = task.internal_data.pop("sro_hidden", {})
        for name, before in hidden.items():
            if before == _MISSING:
                task.data.pop(name, None)
            else:
                task.data[name] = before
        task.data.update(values)


def attach(task_specs: Iterable[Any], elements: Mapping[str, etree._Element]) -> None:
    """Give every activity with `camunda:inputOutput` its mappings (the inner activity of a multi-instance)."""
    for spec in task_specs:
        element = elements.get(getattr(spec, "bpmn_id", None) or "")
        if element is None or isinstance(spec, LoopTask):
            continue
        inputs, outputs = parameters(element)
        if inputs:
            spec.data_input_associations = [*spec.data_input_associations, LocalInputs(inputs)]
        if inputs or outputs:
            spec.data_output_associations = [*spec.data_output_associations, OutputMappings(outputs)]
