"""Call activities with Camunda 7's variable passing (`camunda:in` / `camunda:out`).

Camunda 7 passes to the called process only what `camunda:in` names (all variables, one variable
under a new name, or the value of an expression) and takes back only what `camunda:out` names; a
call activity without them passes nothing either way. SpiffWorkflow copies all data in and all data
back, which would leak variables between processes; this subclass does what Camunda does. A `local`
passing takes only the call activity's own input parameters. Business keys are refused by lint.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.task_parsers import CallActivityParser
from SpiffWorkflow.bpmn.specs.defaults import CallActivity

from engine.runtime.io_mapping import render
from engine.runtime.model import BPMN_NS, CAMUNDA_NS


@dataclass(frozen=True)
class Passing:
    """One `camunda:in` or `camunda:out`: every variable, a variable (source), or an expression's value."""

    all: bool = False
    source: str | None = None
    expression: str | None = None
    target: str | None = None
    local: bool = False  # only the element's own (local) variables: its input parameters


def read_passings(element: etree._Element, tag: str) -> tuple[Passing, ...]:
    extension = element.find(f"{{{BPMN_NS}}}extensionElements")
    if extension is None:
        return ()
    return tuple(Passing(all=node.get("variables") == "all", source=node.get("source"),
                         expression=node.get("sourceExpression"), target=node.get("target"),
                         local=node.get("local") == "true")
                 for node in extension.iterfind(f"{{{CAMUNDA_NS}}}{tag}"))


def passed(passings: tuple[Passing, ...], data: dict[str, Any], evaluate: Any,
           local_names: Any = ()) -> dict[str, Any]:
    """What the passings name, from `data`; a `local` passing reads only `local_names` (the input parameters
    of the element, see io_mapping.py)."""
    result: dict[str, Any] = {}
    for passing in passings:
        if passing.local:
            own = {name: data.get(name) for name in local_names}
            result.update(passed((Passing(passing.all, passing.source, passing.expression, passing.target),), own,
                                 evaluate))
            continue
        if passing.all:
            result.update({key: value for key, value in data.items() if not key.startswith("_")})
        elif passing.target and passing.expression is not None:  # `${...}`, or a literal text as Camunda takes it
            result[passing.target] = render(passing.expression, evaluate)
        elif passing.target and passing.source is not None:
            result[passing.target] = data.get(passing.source)
    return deepcopy(result)


class MappedCallActivity(CallActivity):  # type: ignore[misc]
    ins: tuple[Passing, ...] = ()
    outs: tuple[Passing, ...] = ()

    def copy_data(self, my_task: Any, subworkflow: Any) -> None:
        start = subworkflow.get_next_task(subworkflow.task_tree, skip_subprocesses=True, spec_name="Start")
        engine = my_task.workflow.script_engine
        start.set_data(**passed(self.ins, my_task.data, lambda text: engine.evaluate(my_task, text),
                                my_task.internal_data.get("sro_hidden", {})))

    def update_data(self, my_task: Any, subworkflow: Any) -> None:
        end = subworkflow.last_task
        engine = my_task.workflow.script_engine
        data = end.data if end is not None else {}
        my_task.data = {**deepcopy(my_task.data), **passed(self.outs, data, lambda text: engine.evaluate(end, text))}


class MappedCallActivityParser(CallActivityParser):  # type: ignore[misc]
    def create_task(self) -> Any:
        task = super().create_task()
        task.ins = read_passings(self.node, "in")
        task.outs = read_passings(self.node, "out")
        return task
