"""SpiffWorkflow adapted to our rules: safe expressions, the engine's clock, strict gateways, lean state.

SpiffWorkflow evaluates diagram text with Python `eval`, reads the wall clock in its timer module,
lets the drawing position decide between overlapping gateway conditions and embeds the whole
process spec in every serialized instance (see notes/engine-facts.md). Each of those is replaced
here, in one place, by subclassing the library's extension points; nothing is monkeypatched.
"""

from __future__ import annotations

import json
from collections import ChainMap
from collections.abc import Callable, Mapping
from copy import deepcopy
from datetime import date, datetime
from typing import Any, ClassVar

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.task_parsers import ConditionalGatewayParser
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.defaults import ExclusiveGateway
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
)
from SpiffWorkflow.bpmn.util import PendingBpmnEvent
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.event_parsers import (
    CamundaBoundaryEventParser,
    CamundaEndEventParser,
    CamundaIntermediateCatchEventParser,
    CamundaIntermediateThrowEventParser,
    CamundaStartEventParser,
)
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.camunda.specs.user_task import UserTask
from SpiffWorkflow.util.task import TaskState

from engine.runtime import expressions
from engine.runtime.clock import BERLIN, Clock
from engine.runtime.durations import add_duration, due_time, parse_cycle, parse_moment
from engine.runtime.errors import AmbiguousGatewayError, ProcessError

# --------------------------------------------------------------------------- expressions


def helper_functions(clock: Clock) -> dict[str, Callable[..., Any]]:
    """The named functions a diagram may call; everything else is refused by the evaluator."""

    def heute() -> date:
        return clock.now().astimezone(BERLIN).date()

    def jetzt() -> datetime:
        return clock.now()

    def datum(text: str) -> date:
        return date.fromisoformat(str(text))

    def plus_dauer(start: date | datetime, dauer: str) -> date | datetime:
        if isinstance(start, datetime):
            return add_duration(start, dauer)
        return add_duration(parse_moment(start), dauer).astimezone(BERLIN).date()

    return {"heute": heute, "jetzt": jetzt, "datum": datum, "plusDauer": plus_dauer}


class SafeEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """Evaluates through the whitelisting evaluator; refuses to execute scripts at all."""

    def __init__(self, functions: Mapping[str, Callable[..., Any]]) -> None:
        super().__init__({})
        self.functions = functions

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        variables: Mapping[str, Any] = ChainMap(context, external_context or {})
        return expressions.evaluate(expression, variables, self.functions)

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        raise ProcessError(None, "Skripte werden aus Sicherheitsgründen nicht ausgeführt.")

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise ProcessError(None, "Service-Aufrufe werden nicht unterstützt.")


class SafeScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    """The script engine of every workflow we run: safe evaluation and the engine's clock."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(environment=SafeEnvironment(helper_functions(clock)))
        self.clock = clock

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        # Keep our German errors intact instead of SpiffWorkflow's English wrapper.
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except expressions.ExpressionError as error:
            raise ProcessError(_element_id(task), str(error)) from error


def _element_id(task: Any) -> str | None:
    spec = getattr(task, "task_spec", None)
    return getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)


def evaluate_text(task: Any, text: str) -> Any:
    """Evaluate diagram text that is either `${...}` or a literal the Modeler writes unquoted (`P6M`)."""
    inner, wrapped = expressions.unwrap(text or "")
    if not wrapped and not (len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\""):
        return inner
    return task.workflow.script_engine.evaluate(task, text)


# --------------------------------------------------------------------------- timers


def _now(task: Any) -> datetime:
    now: datetime = task.workflow.script_engine.clock.now()
    return now


def _timer_due(task: Any, expression: str, relative: bool) -> str:
    due = task._get_internal_data("event_value")
    if due is None:
        value = evaluate_text(task, expression)
        try:
            moment = due_time(value, _now(task)) if relative else parse_moment(value)
        except ValueError as error:
            raise ProcessError(_element_id(task), str(error)) from error
        due = moment.isoformat()
        task._set_internal_data(event_value=due)
    return str(due)


class ClockTimeDate(TimeDateEventDefinition):  # type: ignore[misc]
    def has_fired(self, my_task: Any) -> bool:
        if datetime.fromisoformat(_timer_due(my_task, self.expression, relative=False)) <= _now(my_task):
            my_task._set_internal_data(event_fired=True)
        return bool(my_task._get_internal_data("event_fired", False))


class ClockDuration(DurationTimerEventDefinition):  # type: ignore[misc]
    def has_fired(self, my_task: Any) -> bool:
        if datetime.fromisoformat(_timer_due(my_task, self.expression, relative=True)) <= _now(my_task):
            my_task._set_internal_data(event_fired=True)
        return bool(my_task._get_internal_data("event_fired", False))


class ClockCycle(CycleTimerEventDefinition):  # type: ignore[misc]
    def cycle_complete(self, my_task: Any) -> bool:
        state = my_task._get_internal_data("event_value")
        if state is None:
            cycle = parse_cycle(str(evaluate_text(my_task, self.expression)))
            first = add_duration(cycle.start or _now(my_task), cycle.duration)
            remaining = -1 if cycle.count is None else cycle.count
            state = {"cycles": remaining, "next": first.isoformat(), "duration": self.expression}
        ready = False
        if state["cycles"] != 0:
            due = datetime.fromisoformat(state["next"])
            if due <= _now(my_task):
                cycle = parse_cycle(str(evaluate_text(my_task, state["duration"])))
                state["next"] = add_duration(due, cycle.duration).isoformat()
                state["cycles"] -= 1
                ready = True
        else:
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True
            return False
        my_task._set_internal_data(event_value=state)
        return ready

    def details(self, my_task: Any) -> PendingBpmnEvent:
        state = my_task._get_internal_data("event_value")
        value = state["next"] if state is not None and state["cycles"] != 0 else None
        return PendingBpmnEvent(self.name, self.__class__.__name__, value)


class _ClockTimerParsing:
    """Mixin for the event parsers: build clock-driven timers instead of wall-clock ones."""

    def parse_timer_event(self, event: Any) -> Any:
        timer = super().parse_timer_event(event)  # type: ignore[misc]
        for base, ours in (
            (TimeDateEventDefinition, ClockTimeDate),
            (DurationTimerEventDefinition, ClockDuration),
            (CycleTimerEventDefinition, ClockCycle),
        ):
            if type(timer) is base:
                return ours(timer.name, timer.expression, description=timer.description)
        return timer


class _StartEventParser(_ClockTimerParsing, CamundaStartEventParser):  # type: ignore[misc]
    pass


class _EndEventParser(_ClockTimerParsing, CamundaEndEventParser):  # type: ignore[misc]
    pass


class _CatchEventParser(_ClockTimerParsing, CamundaIntermediateCatchEventParser):  # type: ignore[misc]
    pass


class _ThrowEventParser(_ClockTimerParsing, CamundaIntermediateThrowEventParser):  # type: ignore[misc]
    pass


class _BoundaryEventParser(_ClockTimerParsing, CamundaBoundaryEventParser):  # type: ignore[misc]
    pass


# --------------------------------------------------------------------------- gateways


class StrictExclusiveGateway(ExclusiveGateway):  # type: ignore[misc]
    """Evaluates every outgoing condition: overlapping true conditions are an error, not a drawing accident."""

    def _run_hook(self, my_task: Any) -> bool:
        matches = []
        for condition, spec_name in self.cond_task_specs:
            if condition is None:
                continue
            result = condition._matches(my_task)
            if not isinstance(result, bool):
                raise ProcessError(
                    self.bpmn_id,
                    f"Die Bedingung »{condition.args[0]}« ergibt keinen Wahrheitswert, sondern »{result!r}«.",
                )
            if result:
                matches.append(spec_name)
        if len(matches) > 1:
            names = ", ".join(self._target_label(my_task, name) for name in matches)
            raise AmbiguousGatewayError(
                self.bpmn_id,
                f"Mehrere Bedingungen sind zugleich erfüllt ({names}); genau eine darf zutreffen.",
            )
        target = matches[0] if matches else self.default_task_spec
        if target is None:
            raise ProcessError(self.bpmn_id, "Keine Bedingung ist erfüllt und es gibt keinen Standardfluss.")
        output = my_task.workflow.spec.get_task_spec_from_name(target)
        my_task._sync_children([output], TaskState.FUTURE)
        for child in my_task.children:
            child.task_spec._predict(child, mask=TaskState.FUTURE | TaskState.PREDICTED_MASK)
        return True

    @staticmethod
    def _target_label(my_task: Any, name: str) -> str:
        spec = my_task.workflow.spec.get_task_spec_from_name(name)
        return str(getattr(spec, "bpmn_name", None) or name)


# --------------------------------------------------------------------------- parser


class SroParser(CamundaParser):  # type: ignore[misc]
    OVERRIDE_PARSER_CLASSES: ClassVar[dict[str, tuple[Any, Any]]] = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("exclusiveGateway"): (ConditionalGatewayParser, StrictExclusiveGateway),
        full_tag("startEvent"): (_StartEventParser, CamundaParser.OVERRIDE_PARSER_CLASSES[full_tag("startEvent")][1]),
        full_tag("endEvent"): (_EndEventParser, CamundaParser.OVERRIDE_PARSER_CLASSES[full_tag("endEvent")][1]),
        full_tag("intermediateCatchEvent"): (
            _CatchEventParser,
            CamundaParser.OVERRIDE_PARSER_CLASSES[full_tag("intermediateCatchEvent")][1],
        ),
        full_tag("intermediateThrowEvent"): (
            _ThrowEventParser,
            CamundaParser.OVERRIDE_PARSER_CLASSES[full_tag("intermediateThrowEvent")][1],
        ),
        full_tag("boundaryEvent"): (
            _BoundaryEventParser,
            CamundaParser.OVERRIDE_PARSER_CLASSES[full_tag("boundaryEvent")][1],
        ),
    }


class CompiledProcess:
    """The executable spec of one process in one deployment; parsed once and shared by all instances."""

    def __init__(self, spec: Any, subprocess_specs: dict[str, Any]) -> None:
        self.spec = spec
        self.subprocess_specs = subprocess_specs


def compile_process(documents: Mapping[str, etree._Element], process_id: str) -> CompiledProcess:
    """Build the SpiffWorkflow spec from already safely parsed documents (file name -> root)."""
    parser = SroParser()
    try:
        for filename, root in documents.items():
            parser.add_bpmn_xml(root, filename)
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as error:
        raise ProcessError(getattr(error, "id", None), f"Das Diagramm kann nicht ausgeführt werden: {error}") from error
    return CompiledProcess(spec, subprocess_specs)


# --------------------------------------------------------------------------- state


class _StateConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Serializes only the instance's state; the spec comes from the deployment (parsed once)."""

    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], process: CompiledProcess | None = None,
                  script_engine: Any = None) -> Any:
        from uuid import UUID

        if process is None:
            raise ValueError("restoring an instance needs its compiled process")
        workflow = self.target_class(
            process.spec, process.subprocess_specs, script_engine=script_engine, deserializing=True
        )
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _date_to_dict(value: date) -> dict[str, str]:
    return {"value": value.isoformat()}


def _date_from_dict(dct: Mapping[str, str]) -> date:
    return date.fromisoformat(dct["value"])


class StateSerializer:
    """JSON state of a running instance, without the process spec (11 of 14.6 KB in the library's format)."""

    def __init__(self) -> None:
        config = deepcopy(CAMUNDA_CONFIG)
        config[BpmnWorkflow] = _StateConverter
        registry = BpmnWorkflowSerializer.configure(config)
        # Form dates are plain dates; the library only knows datetime and timedelta.
        registry.register(date, _date_to_dict, _date_from_dict, typename="date")
        self._serializer = BpmnWorkflowSerializer(registry)
        self._registry = registry

    def dumps(self, workflow: Any) -> str:
        return str(self._serializer.serialize_json(workflow))

    def loads(self, state: str, process: CompiledProcess, script_engine: SafeScriptEngine) -> Any:
        dct = json.loads(state)
        self._serializer.migrate(dct)
        return self._registry.restore(dct, process=process, script_engine=script_engine)

    def convert_data(self, data: Mapping[str, Any]) -> Any:
        """Task data as JSON-ready values (dates tagged), e.g. to carry them into the next cycle."""
        return self._registry.convert(dict(data))

    def restore_data(self, data: Any) -> Any:
        return self._registry.restore(data)


def new_workflow(process: CompiledProcess, script_engine: SafeScriptEngine) -> Any:
    return BpmnWorkflow(process.spec, process.subprocess_specs, script_engine=script_engine)


def ready_user_tasks(workflow: Any) -> list[Any]:
    return [task for task in workflow.get_tasks(state=TaskState.READY) if isinstance(task.task_spec, UserTask)]


def waiting_events(workflow: Any) -> list[tuple[Any, Any, PendingBpmnEvent]]:
    """(task, event definition, details) for everything the instance waits for, event gateways flattened."""
    waits = []
    for task in workflow.event_manager.tasks.values():
        definition = task.task_spec.event_definition
        inner = getattr(definition, "event_definitions", None)
        if inner is None:
            waits.append((task, definition, definition.details(task)))
        else:
            for sub in inner:
                waits.append((task, sub, sub.details(task)))
    return waits


def timer_due_from_details(details: PendingBpmnEvent) -> datetime | None:
    value = details.value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def is_timer(definition: Any) -> bool:
    return isinstance(definition, TimeDateEventDefinition | DurationTimerEventDefinition | CycleTimerEventDefinition)


