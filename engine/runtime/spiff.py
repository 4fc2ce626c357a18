"""SpiffWorkflow adapted to our rules: safe expressions, the engine's clock, strict gateways, lean state.

SpiffWorkflow evaluates diagram text with Python `eval`, reads the wall clock in its timer module,
lets the drawing position decide between overlapping gateway conditions and embeds the whole
process spec in every serialized instance (see notes/engine-facts.md). Each of those is replaced
here, in one place, by subclassing the library's extension points; nothing is monkeypatched.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, ClassVar

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.event_parsers import (
    CANCEL_EVENT_XPATH,
    CONDITIONAL_EVENT_XPATH,
    ERROR_EVENT_XPATH,
    ESCALATION_EVENT_XPATH,
    MESSAGE_EVENT_XPATH,
    SIGNAL_EVENT_XPATH,
    TERMINATION_EVENT_XPATH,
    TIMER_EVENT_XPATH,
)
from SpiffWorkflow.bpmn.parser.task_parsers import ConditionalGatewayParser
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.specs.defaults import ExclusiveGateway
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins import BpmnSpecMixin
from SpiffWorkflow.bpmn.specs.mixins.service_task import ServiceTask as ServiceTaskMixin
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask as SubWorkflowTaskMixin
from SpiffWorkflow.bpmn.util import PendingBpmnEvent
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.event_parsers import (
    CamundaBoundaryEventParser,
    CamundaEndEventParser,
    CamundaIntermediateCatchEventParser,
    CamundaIntermediateThrowEventParser,
    CamundaStartEventParser,
)
from SpiffWorkflow.camunda.parser.task_spec import CAMUNDA_MODEL_NS, CamundaTaskParser
from SpiffWorkflow.camunda.specs.user_task import UserTask
from SpiffWorkflow.util.task import TaskState

from engine.runtime import compensation, expressions, io_mapping, multi_instance
from engine.runtime.call_activity import (
    CalledProcesses,
    MappedCallActivity,
    MappedCallActivityParser,
)
from engine.runtime.clock import Clock, berlin_date
from engine.runtime.coded_events import CodedEventParsing
from engine.runtime.conditional import ConditionalParsing
from engine.runtime.durations import add_duration, parse_moment
from engine.runtime.errors import AmbiguousGatewayError, ProcessError
from engine.runtime.event_subprocess import ScopedSubWorkflowParser, ScopedWorkflow, attach_interrupts
from engine.runtime.fidelity import element_index, elements_of, ignored_event_definitions, in_german
from engine.runtime.plain_tasks import PassThroughManualTask, PassThroughTask
from engine.runtime.timers import ClockTimerParsing
from engine.runtime.timers import element_id_of as _element_id

# --------------------------------------------------------------------------- expressions

# A domain action: reads the task data and the clock, returns the data it changes.
Action = Callable[[dict[str, Any], Clock], Mapping[str, Any]]


def helper_functions(clock: Clock) -> dict[str, Callable[..., Any]]:
    """The named functions a diagram may call; everything else is refused by the evaluator."""

    def heute() -> date:
        return clock.today()

    def jetzt() -> datetime:
        return clock.now()

    def datum(text: str) -> date:
        return date.fromisoformat(str(text))

    def plus_dauer(start: date | datetime, dauer: str) -> date | datetime:
        if isinstance(start, datetime):
            return add_duration(start, dauer)
        return berlin_date(add_duration(parse_moment(start), dauer))

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
    """The script engine of every workflow we run: safe evaluation, the engine's clock, domain actions."""

    def __init__(self, clock: Clock, functions: Mapping[str, Callable[..., Any]] | None = None,
                 actions: Mapping[str, Action] | None = None) -> None:
        self.functions = {**helper_functions(clock), **(functions or {})}
        super().__init__(environment=SafeEnvironment(self.functions))
        self.clock = clock
        self.actions = dict(actions or {})

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        # Keep our German errors intact instead of SpiffWorkflow's English wrapper.
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except expressions.ExpressionError as error:
            raise ProcessError(_element_id(task), str(error)) from error


class _StartEventParser(compensation.CompensationParsing, ClockTimerParsing, CodedEventParsing,
                        ConditionalParsing, CamundaStartEventParser):  # type: ignore[misc]
    """Error and escalation start events (of event subprocesses) too: the library reads them as none
    start events, so the event subprocess ran at once when its scope began."""

    def create_task(self) -> Any:
        definition = self.get_event_definition([MESSAGE_EVENT_XPATH, SIGNAL_EVENT_XPATH, TIMER_EVENT_XPATH,
                                                CONDITIONAL_EVENT_XPATH, ERROR_EVENT_XPATH, ESCALATION_EVENT_XPATH])
        task = self._create_task(definition)
        self.spec.start.connect(task)
        return task


class MessageThrowAsNone(NoneEventDefinition):  # type: ignore[misc]
    """A message throw or end event: Camunda 7 runs one without an implementation (camunda:class, expression or an
    external topic, all refused by lint) as a none event (BpmnParse): nothing is sent, the messageRef not resolved."""


class _MessageThrowParsing:
    def parse_message_event(self, message_event: Any) -> Any:
        return MessageThrowAsNone()


class _SignalEndEventParser(_MessageThrowParsing, ClockTimerParsing, CodedEventParsing, ConditionalParsing,
                            CamundaEndEventParser):  # type: ignore[misc]
    """Signal end events too: the library reads them as none end events (the signal was never sent)."""

    def create_task(self) -> Any:
        definition = self.get_event_definition([MESSAGE_EVENT_XPATH, CANCEL_EVENT_XPATH, ERROR_EVENT_XPATH,
                                                ESCALATION_EVENT_XPATH, TERMINATION_EVENT_XPATH, SIGNAL_EVENT_XPATH])
        task = self._create_task(definition)
        task.connect(self.spec.end)
        return task


class _EndEventParser(compensation.CompensationParsing, _SignalEndEventParser):
    pass


class _CatchEventParser(ClockTimerParsing, CodedEventParsing, ConditionalParsing, CamundaIntermediateCatchEventParser):  # type: ignore[misc]
    pass


class _ThrowEventParser(compensation.CompensationParsing, _MessageThrowParsing, ClockTimerParsing, CodedEventParsing,
                        ConditionalParsing, CamundaIntermediateThrowEventParser):  # type: ignore[misc]
    pass


class _BoundaryEventParser(ClockTimerParsing, CodedEventParsing, ConditionalParsing, CamundaBoundaryEventParser):  # type: ignore[misc]
    pass


# --------------------------------------------------------------------------- actions and decisions


class ActionTask(ServiceTaskMixin, BpmnSpecMixin):  # type: ignore[misc]
    """A Camunda 7 external task whose topic names a built-in domain action, run in the same step.

    Camunda hands external tasks to workers over the network; here the "worker" is a whitelisted
    Python function of the domain, so a process owner can place it but not program it.
    """

    def __init__(self, wf_spec: Any, bpmn_id: str, topic: str, **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.topic = topic

    def _execute(self, task: Any) -> bool:
        engine = task.workflow.script_engine
        action = engine.actions.get(self.topic)
        if action is None:
            raise ProcessError(self.bpmn_id, f"Die fachliche Aktion »{self.topic}« gibt es nicht.")
        try:
            changes = action(task.data, engine.clock)
        except ProcessError:
            raise
        except (ValueError, KeyError, TypeError) as error:
            message = f"Die fachliche Aktion »{self.topic}« ist fehlgeschlagen: {error}"
            raise ProcessError(self.bpmn_id, message) from error
        task.data.update(changes)
        return True


class DecisionTask(BpmnSpecMixin):  # type: ignore[misc]
    """A business rule task evaluated by our DMN evaluator, with Camunda 7's result mapping."""

    MAPPINGS = ("singleEntry", "singleResult", "collectEntries", "resultList")

    def __init__(self, wf_spec: Any, bpmn_id: str, decision_ref: str, result_variable: str | None,
                 mapping: str, **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.decision_ref = decision_ref
        self.result_variable = result_variable
        self.mapping = mapping
        self.decisions: Mapping[str, Any] = {}  # set when the process is compiled with its tables

    def _run_hook(self, task: Any) -> bool:
        from engine.runtime.dmn import DmnError, evaluate

        engine = task.workflow.script_engine
        try:
            result = evaluate(self.decisions, self.decision_ref, task.data, engine.functions, engine.clock)
        except DmnError as error:
            raise ProcessError(self.bpmn_id, str(error)) from error
        value = self._map(result)
        if self.result_variable:
            task.data[self.result_variable] = value
        return True

    def _map(self, result: Any) -> Any:
        outputs: list[dict[str, Any]] = result.outputs
        decision = self.decisions[self.decision_ref]
        if self.mapping in ("singleEntry", "singleResult") and len(outputs) > 1 and decision.aggregation is None:
            raise ProcessError(self.bpmn_id, f"Die Entscheidung »{self.decision_ref}« lieferte {len(outputs)} "
                                             f"Treffer; »{self.mapping}« erlaubt höchstens einen.")
        if decision.aggregation is not None:
            return result.value
        if self.mapping == "singleEntry":
            if not outputs:
                return None
            if len(outputs[0]) != 1:
                raise ProcessError(self.bpmn_id, f"»singleEntry« braucht genau eine Ausgabe; die Entscheidung "
                                                 f"»{self.decision_ref}« hat {len(outputs[0])}.")
            return next(iter(outputs[0].values()))
        if self.mapping == "singleResult":
            return dict(outputs[0]) if outputs else None
        if self.mapping == "collectEntries":
            return [next(iter(row.values())) for row in outputs]
        return [dict(row) for row in outputs]


class _ActionTaskParser(CamundaTaskParser):  # type: ignore[misc]
    def create_task(self) -> Any:
        topic = self.node.get(f"{{{CAMUNDA_MODEL_NS}}}topic") or ""
        return self.spec_class(self.spec, self.bpmn_id, topic=topic, **self.bpmn_attributes)


class _DecisionTaskParser(CamundaTaskParser):  # type: ignore[misc]
    @staticmethod
    def get_decision_ref(node: Any) -> str:
        """SpiffWorkflow asks this when collecting a process's dependencies."""
        return str(node.get(f"{{{CAMUNDA_MODEL_NS}}}decisionRef") or "")

    def create_task(self) -> Any:
        def attribute(name: str) -> str | None:
            value: str | None = self.node.get(f"{{{CAMUNDA_MODEL_NS}}}{name}")
            return value

        return self.spec_class(self.spec, self.bpmn_id, decision_ref=attribute("decisionRef") or "",
                               result_variable=attribute("resultVariable"),
                               mapping=attribute("mapDecisionResult") or "resultList", **self.bpmn_attributes)


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
        full_tag("serviceTask"): (_ActionTaskParser, ActionTask),
        full_tag("task"): (CamundaTaskParser, PassThroughTask),
        full_tag("callActivity"): (MappedCallActivityParser, MappedCallActivity),
        full_tag("manualTask"): (CamundaTaskParser, PassThroughManualTask),
        full_tag("businessRuleTask"): (_DecisionTaskParser, DecisionTask),
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
        full_tag("subProcess"): (
            ScopedSubWorkflowParser,
            CamundaParser.OVERRIDE_PARSER_CLASSES[full_tag("subProcess")][1],
        ),
        full_tag("boundaryEvent"): (
            _BoundaryEventParser,
            CamundaParser.OVERRIDE_PARSER_CLASSES[full_tag("boundaryEvent")][1],
        ),
    }

    def get_subprocess_specs(self, name: str, specs: dict[str, Any] | None = None,
                             require_call_activity_specs: bool = True) -> dict[str, Any]:
        """The library's collection of the specs a process needs, except the processes a call activity
        resolves only at run time (an expression or a version binding, see call_activity.py)."""
        used: dict[str, Any] = specs if specs is not None else {}
        for task_spec in self.get_spec(name).task_specs.values():
            if not isinstance(task_spec, SubWorkflowTaskMixin) or task_spec.spec in used:
                continue
            called = getattr(task_spec, "called", None)
            if called is not None and called.dynamic:
                continue
            used[task_spec.spec] = self.get_spec(task_spec.spec, required=require_call_activity_specs)
            if used[task_spec.spec] is not None:
                self.get_subprocess_specs(task_spec.spec, used)
        return used


class CompiledProcess:
    """The executable spec of one process in one deployment; parsed once and shared by all instances."""

    def __init__(self, spec: Any, subprocess_specs: dict[str, Any]) -> None:
        self.spec = spec
        self.subprocess_specs = subprocess_specs


def compile_process(documents: Mapping[str, etree._Element], process_id: str,
                    decisions: Mapping[str, Any] | None = None) -> CompiledProcess:
    """Build the SpiffWorkflow spec from already safely parsed BPMN documents (file name -> root).

    `decisions` (decision id -> compiled DMN decision) are handed to the business rule tasks here,
    so an instance evaluates the tables its process version was deployed with.
    """
    parser = SroParser()
    prepared, plan = compensation.prepare(documents)  # handlers become processes of their own
    try:
        for filename, root in prepared.items():
            parser.add_bpmn_xml(root, filename)
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
        for handler in plan.processes:
            subprocess_specs.setdefault(handler, parser.get_spec(handler))
            subprocess_specs.update(parser.get_subprocess_specs(handler))
    except ValidationException as error:
        raise ProcessError(getattr(error, "id", None), in_german(str(error))) from error
    index = element_index(prepared)
    lost = ignored_event_definitions((spec, *subprocess_specs.values()), index)
    if lost:
        raise ProcessError(lost[0], "Die Ereignisdefinition dieses Ereignisses an dieser Stelle kann die Engine nicht "
                                    "ausführen; es liefe stillschweigend als einfaches Ereignis.")
    attach_interrupts((spec, *subprocess_specs.values()), subprocess_specs)
    compensation.attach({spec.name: spec, **subprocess_specs}, subprocess_specs, plan)
    for each in (spec, *subprocess_specs.values()):
        multi_instance.attach(each.task_specs)
        io_mapping.attach(each.task_specs.values(), elements_of(each, index))
    if decisions is None:  # checking only (lint): the tables are checked on their own
        return CompiledProcess(spec, subprocess_specs)
    for each in (spec, *subprocess_specs.values()):
        for task_spec in each.task_specs.values():
            if isinstance(task_spec, DecisionTask):
                if task_spec.decision_ref not in (decisions or {}):
                    raise ProcessError(task_spec.bpmn_id, f"Die Entscheidung »{task_spec.decision_ref}« ist nicht "
                                                          "bereitgestellt.")
                task_spec.decisions = decisions
    return CompiledProcess(spec, subprocess_specs)


def new_workflow(process: CompiledProcess, script_engine: SafeScriptEngine,
                 called: CalledProcesses | None = None) -> Any:
    workflow = ScopedWorkflow(process.spec, process.subprocess_specs, script_engine=script_engine)
    workflow.called_processes = called
    return workflow


def ready_user_tasks(workflow: Any) -> list[Any]:
    return [task for task in workflow.get_tasks(state=TaskState.READY) if isinstance(task.task_spec, UserTask)]


def ready_user_task_ids(workflow: Any) -> frozenset[str]:
    """The ids of `ready_user_tasks`, from the flat task tables of the instance and its subprocesses instead of a
    walk of the tree in order (the order does not matter for a set; the walk cost a tenth of a timer command)."""
    return frozenset(str(task.id) for each in (workflow, *workflow.subprocesses.values())
                     for task in each.tasks.values()
                     if task.state == TaskState.READY and isinstance(task.task_spec, UserTask))


def started_elements(workflow: Any) -> set[str]:
    """Call activities and subprocesses under way, by element id (their inner tasks wait in their own diagram)."""
    return {task.task_spec.bpmn_id for task in workflow.get_tasks(state=TaskState.STARTED)
            if getattr(task.task_spec, "bpmn_id", None)}


def waiting_events(workflow: Any) -> list[tuple[Any, str, Any, PendingBpmnEvent]]:
    """(task, element id, event definition, details) for everything the instance waits for.

    An event-based gateway waits for several events at once; each is listed under the id of the
    catch event that follows the gateway, which is what a process owner sees in the diagram.
    """
    waits = []
    for task in workflow.event_manager.tasks.values():
        definition = task.task_spec.event_definition
        inner = getattr(definition, "event_definitions", None)
        if inner is None:
            waits.append((task, task.task_spec.bpmn_id, definition, definition.details(task)))
            continue
        # SpiffWorkflow moves each following event's definition into the gateway, in output order.
        outputs = task.task_spec.outputs
        for index, sub in enumerate(inner):
            element = outputs[index].bpmn_id if index < len(outputs) else task.task_spec.bpmn_id
            waits.append((task, element, sub, sub.details(task)))
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


