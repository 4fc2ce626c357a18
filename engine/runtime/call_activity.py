"""Call activities with Camunda 7's variable passing (`camunda:in` / `camunda:out`) and binding.

Camunda 7 passes to the called process only what `camunda:in` names (all variables, one variable
under a new name, or the value of an expression) and takes back only what `camunda:out` names; a
call activity without them passes nothing either way. SpiffWorkflow copies all data in and all data
back, which would leak variables between processes; this subclass does what Camunda does. A `local`
passing takes only the call activity's own input parameters. Business keys are refused by lint.

Which process is called (Camunda's calledElement, calledElementBinding, calledElementVersion):
a process id with the binding `latest` or `deployment` is compiled with the caller (the version
deployed with it); a calledElement given as an expression (`${var}`, `#{var}`) or the binding
`version` is resolved when the instance reaches the call activity, from the processes the
workflow's `called_processes` knows (the deployed versions); a process that is not there is a German
error naming the call activity.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.task_parsers import CallActivityParser
from SpiffWorkflow.bpmn.specs.defaults import CallActivity

from engine.runtime import expressions
from engine.runtime.errors import EngineError, ProcessError
from engine.runtime.io_mapping import render
from engine.runtime.model import BPMN_NS, CAMUNDA_NS, CalledElement

CALLED_KEY = "sro_called"  # task internal data: the key of the process a dynamic call activity started


def called_key(process_id: str, version: int) -> str:
    """The key under which a process version resolved at run time joins the workflow's specs."""
    return f"{process_id}@{version}"


def split_key(key: str) -> tuple[str, int]:
    process_id, _, version = key.rpartition("@")
    return process_id, int(version)


class UnknownProcessError(EngineError):
    """The called process (or the asked version of it) is not deployed."""


class AmbiguousProcessError(EngineError):
    """Several deployed files of the called process carry the asked version tag (Camunda refuses that too)."""


class CalledProcesses:
    """What a call activity resolved at run time may call: the deployed versions of processes.

    `find(process_id, version, tag)`: (version number, compiled process) of that version, else of the latest
    version whose process carries camunda:versionTag `tag`, else of the latest; raises UnknownProcessError when
    there is none, AmbiguousProcessError when the tag is on more than one deployed file of the process."""

    def find(self, process_id: str, version: int | None, tag: str | None = None) -> tuple[int, Any]:
        raise UnknownProcessError(process_id)


def join_called(workflow: Any, key: str, compiled: Any) -> None:
    """Add a process resolved at run time (and the processes it calls) to the workflow's specs; a new dict,
    since the one the workflow was built with is shared by every instance of its version."""
    joined = dict(workflow.subprocess_specs)
    joined[key] = compiled.spec
    for name, spec in compiled.subprocess_specs.items():
        joined.setdefault(name, spec)
    workflow.subprocess_specs = joined


def resolve_called(workflow: Any, key: str) -> None:
    """Make a key stored in an instance's state available again when the instance is read."""
    if key in workflow.subprocess_specs:
        return
    resolver = getattr(workflow, "called_processes", None)
    process_id, version = split_key(key)
    if resolver is None:
        raise UnknownProcessError(process_id)
    _, compiled = resolver.find(process_id, version)
    join_called(workflow, key, compiled)


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
    called: CalledElement | None = None

    def start_workflow(self, my_task: Any) -> None:
        if self.called is None or not self.called.dynamic:
            super().start_workflow(my_task)
            return
        top = my_task.workflow.top_workflow
        engine = my_task.workflow.script_engine
        name = self.called.name
        if expressions.unwrap(name)[1]:
            value = render(name, lambda text: engine.evaluate(my_task, text))
            if not isinstance(value, str) or not value.strip():
                raise ProcessError(self.bpmn_id, f"Der Ausdruck »{name}« des aufgerufenen Prozesses ergibt keine "
                                                 f"Prozess-ID (sondern »{value}«).")
            name = value.strip()
        version = self._version(my_task)
        tag = self._tag(my_task)
        # always among the deployed processes: the workflow's own specs also hold its embedded subprocesses
        resolver = getattr(top, "called_processes", None)
        try:
            if resolver is None:
                raise UnknownProcessError(name)
            number, compiled = resolver.find(name, version, tag)
        except AmbiguousProcessError as error:
            raise ProcessError(self.bpmn_id, f"Der Versions-Tag »{tag}« des aufgerufenen Prozesses »{name}« ist "
                                             f"mehrdeutig: {error}") from error
        except UnknownProcessError as error:
            which = f"»{name}« in Version {version}" if version is not None else \
                f"»{name}« mit dem Versions-Tag »{tag}«" if tag is not None else f"»{name}«"
            raise ProcessError(self.bpmn_id, f"Der aufgerufene Prozess {which} ist nicht bereitgestellt.") from error
        key = called_key(name, number)
        join_called(top, key, compiled)
        my_task.internal_data[CALLED_KEY] = key
        subworkflow = top.create_subprocess(my_task, key)
        subworkflow.completed_event.connect(self._on_subworkflow_completed, my_task)
        self.copy_data(my_task, subworkflow)
        subworkflow.get_next_task(spec_name="Start").run()

    def _tag(self, my_task: Any) -> str | None:
        if self.called is None or self.called.binding != "versionTag":
            return None
        engine = my_task.workflow.script_engine
        value = render(self.called.version_tag or "", lambda expression: engine.evaluate(my_task, expression))
        if value is None or not str(value).strip():
            raise ProcessError(self.bpmn_id, f"camunda:calledElementVersionTag »{self.called.version_tag}« ergibt "
                                             "keinen Versions-Tag.")
        return str(value).strip()

    def _version(self, my_task: Any) -> int | None:
        if self.called is None or self.called.binding != "version":
            return None
        text = self.called.version or ""
        engine = my_task.workflow.script_engine
        value = render(text, lambda expression: engine.evaluate(my_task, expression))
        try:
            number = int(str(value).strip())
        except ValueError:
            number = 0
        if number < 1 or isinstance(value, bool):
            raise ProcessError(self.bpmn_id, f"camunda:calledElementVersion »{text}« ergibt keine Versionsnummer "
                                             f"(sondern »{value}«).")
        return number

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
        task.called = CalledElement.of(self.node)
        return task
