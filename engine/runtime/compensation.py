"""Compensation as Camunda 7 runs it: handlers of completed activities, thrown by intermediate and end events.

SpiffWorkflow 3.2 has no compensation: it cannot parse a compensation boundary event, never runs an
activity marked `isForCompensation` and reads a compensation throw as a none event. Camunda 7 keeps,
for each completed activity that has a handler (a compensation boundary event associated with an
activity `isForCompensation="true"`), a subscription in the activity's scope; a compensation throw
(intermediate or end event, with or without `activityRef`) starts the handlers of the completed
activities of its scope, all at once, the latest completed first, each completed instance once
(one run per completed multi-instance instance or loop pass), and goes on when all have ended. A
completed embedded subprocess without a handler of its own passes the compensation on to its
completed children; a compensation event subprocess inside a subprocess is that subprocess's handler
and sees its local variables. A cancel end event in a transaction ends the transaction's other paths,
compensates what the transaction completed, and only then leaves it by its cancel boundary event (the
library's own cancel).

How it is done without patching the library:
- `prepare` rewrites a copy of the diagrams before parsing: each handler (and each compensation event
  subprocess) moves into a process of its own, start -> handler -> end, which the library parses like
  any other; the compensation boundary events go (nothing waits for them at run time).
- The throw and end events with a compensation definition (and cancel end events) are
  `CompensationThrowEvent` / `CompensationEndEvent`. When one runs, it adds one `CompensationRun`
  child task per handler run; each is an ordinary subprocess task of the library (so it is listed,
  stepped, saved and restored like one) running the handler's process. The throw waits (started)
  until its runs have ended.
- Completion order is the tasks' own time of their last state change (kept in the saved state); it
  only orders, it is never shown or compared with the engine's clock.
- A compensated task is marked in its internal data, which is saved with the instance.
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from uuid import UUID

from lxml import etree
from SpiffWorkflow.bpmn.specs.defaults import EndEvent, IntermediateThrowEvent
from SpiffWorkflow.bpmn.specs.event_definitions.simple import CancelEventDefinition, NoneEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import EventSubprocess, SubWorkflowTask
from SpiffWorkflow.util.task import TaskState

from engine.runtime.model import BPMN_NS, local

HANDLER_PROCESS = "sro_compensation__"  # + the id of the handler (or of the compensated subprocess)
RUN_SPEC = "sro_compensation_run__"  # + the handler process's id
_COMPENSATED = "sro_compensated"  # internal data of a task whose handler ran
_RUNS = "sro_compensation_runs"  # internal data of a throw: the ids of its run tasks
_OF = "sro_compensates"  # internal data of a run: the id of the task it compensates
_LOCAL = "sro_compensation_local"  # internal data of a run: the names of the compensated scope's own variables


@dataclass
class Plan:
    """What `prepare` found: the handler process of each compensable activity."""

    handlers: dict[str, str] = field(default_factory=dict)  # activity id -> handler process id
    processes: list[str] = field(default_factory=list)  # the handler processes, to be parsed too
    # the embedded subprocesses (the library builds them with the call activity's class)
    embedded: set[str] = field(default_factory=set)


def _q(name: str) -> str:
    return f"{{{BPMN_NS}}}{name}"


def _is_compensation_start(element: etree._Element) -> bool:
    return any(local(start.tag) == "startEvent" and start.find(_q("compensateEventDefinition")) is not None
               for start in element if isinstance(start.tag, str))


def prepare(documents: Mapping[str, etree._Element]) -> tuple[dict[str, etree._Element], Plan]:
    """Copies of the documents with every handler in a process of its own, and where each went."""
    plan = Plan()
    if not any(root.find(f".//{_q('compensateEventDefinition')}") is not None for root in documents.values()):
        return dict(documents), plan
    rewritten: dict[str, etree._Element] = {}
    for name, original in documents.items():
        root = deepcopy(original)
        associations = {each.get("sourceRef"): each.get("targetRef") for each in root.iter(_q("association"))}
        elements = {each.get("id"): each for each in root.iter() if isinstance(each.tag, str) and each.get("id")}
        for boundary in list(root.iter(_q("boundaryEvent"))):
            if boundary.find(_q("compensateEventDefinition")) is None:
                continue
            handler = elements.get(associations.get(boundary.get("id")) or "")
            process_id = HANDLER_PROCESS + str(handler.get("id") if handler is not None else "")
            if handler is not None and handler.get("isForCompensation") == "true":
                _detach(handler)
                root.append(_handler_process(process_id, handler))
                plan.processes.append(process_id)
            if process_id in plan.processes:  # also a handler already moved: one may serve several activities
                plan.handlers[str(boundary.get("attachedToRef"))] = process_id
            _detach(boundary)
        for event_subprocess in list(root.iter(_q("subProcess"))):
            if event_subprocess.get("triggeredByEvent") != "true" or not _is_compensation_start(event_subprocess):
                continue
            scope = event_subprocess.getparent()
            process_id = HANDLER_PROCESS + str(event_subprocess.get("id"))
            _detach(event_subprocess)
            process = etree.SubElement(root, _q("process"), id=process_id, isExecutable="true")
            for child in list(event_subprocess):
                process.append(child)
            if scope is not None and scope.get("id"):
                plan.handlers[str(scope.get("id"))] = process_id
                plan.processes.append(process_id)
        plan.embedded |= {str(each.get("id")) for each in root.iter(_q("subProcess"), _q("transaction"))
                          if each.get("triggeredByEvent") != "true"}
        rewritten[name] = root
    return rewritten, plan


def handlers_of_boundary_events(root: etree._Element) -> dict[str, str]:
    """Compensation boundary event id -> the id of its handler. No token passes such an event: it has its
    handler started, so coverage counts it when the handler ran."""
    associations = {each.get("sourceRef"): each.get("targetRef") for each in root.iter(_q("association"))}
    return {str(boundary.get("id")): str(associations[boundary.get("id")])
            for boundary in root.iter(_q("boundaryEvent"))
            if boundary.find(_q("compensateEventDefinition")) is not None and associations.get(boundary.get("id"))}


def _detach(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


def _handler_process(process_id: str, handler: etree._Element) -> etree._Element:
    """start -> handler -> end, as a process of its own."""
    process = etree.Element(_q("process"), id=process_id, isExecutable="true")
    start, end, handler_id = f"{process_id}__start", f"{process_id}__end", str(handler.get("id"))
    etree.SubElement(process, _q("startEvent"), id=start)
    handler.attrib.pop("isForCompensation", None)
    process.append(handler)
    etree.SubElement(process, _q("endEvent"), id=end)
    etree.SubElement(process, _q("sequenceFlow"), id=f"{process_id}__in", sourceRef=start, targetRef=handler_id)
    etree.SubElement(process, _q("sequenceFlow"), id=f"{process_id}__out", sourceRef=handler_id, targetRef=end)
    return process


# --------------------------------------------------------------------------- parsing


class CompensationEventDefinition(NoneEventDefinition):  # type: ignore[misc]
    """The definition of a compensation throw: which activity (`activityRef`), or every one of the scope."""

    def __init__(self, activity_ref: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activity_ref = activity_ref


class CompensationParsing:
    """Mixin for the throw and end event parsers: a compensation definition makes a compensating event."""

    def get_event_definition(self, xpaths: Any) -> Any:
        """The start event of a compensation event subprocess (now a handler process of its own) starts
        at once, as a none start event does, but keeps saying it is a compensation event."""
        definition = super().get_event_definition(xpaths)  # type: ignore[misc]
        found = self.node.find(_q("compensateEventDefinition"))  # type: ignore[attr-defined]
        if type(definition) is NoneEventDefinition and found is not None:
            return CompensationEventDefinition(found.get("activityRef") or None)
        return definition

    def create_task(self) -> Any:
        node = self.node  # type: ignore[attr-defined]
        definition = node.find(_q("compensateEventDefinition"))
        cancel = node.find(_q("cancelEventDefinition"))
        attributes = self.bpmn_attributes  # type: ignore[attr-defined]
        spec = self.spec  # type: ignore[attr-defined]
        if cancel is not None and local(node.tag) == "endEvent":
            # Camunda compensates what the transaction completed, then leaves it by its cancel boundary event
            task = CompensationEndEvent(spec, self.bpmn_id,  # type: ignore[attr-defined]
                                        event_definition=self.parse_cancel_event(cancel),  # type: ignore[attr-defined]
                                        **attributes)
            task.connect(spec.end)
            return task
        if definition is None or local(node.tag) not in {"intermediateThrowEvent", "endEvent"}:
            return super().create_task()  # type: ignore[misc]
        event = CompensationEventDefinition(definition.get("activityRef") or None)
        if local(node.tag) == "endEvent":
            task = CompensationEndEvent(spec, self.bpmn_id, event_definition=event, **attributes)  # type: ignore[attr-defined]
            task.connect(spec.end)
            return task
        return CompensationThrowEvent(spec, self.bpmn_id, event_definition=event, **attributes)  # type: ignore[attr-defined]


def attach(specs: Mapping[str, Any], subprocess_specs: Mapping[str, Any], plan: Plan) -> None:
    """Give each compensating event the handlers, and its process spec a run spec per handler process."""
    for each in specs.values():
        throws = [spec for spec in each.task_specs.values() if isinstance(spec, _Compensating)]
        if not throws:
            continue
        for process_id in plan.processes:
            if process_id in subprocess_specs and RUN_SPEC + process_id not in each.task_specs:
                CompensationRun(each, RUN_SPEC + process_id, process_id)
        for spec in throws:
            spec.handlers = dict(plan.handlers)
            spec.embedded = frozenset(plan.embedded)


# --------------------------------------------------------------------------- running


class CompensationRun(SubWorkflowTask):  # type: ignore[misc]
    """One run of a handler: a subprocess task added under the compensating event, never drawn."""

    bpmn_id: str | None = None  # not an element of the diagram (like the library's own start and end tasks)
    bpmn_name: str | None = None

    def test(self) -> None:
        """No sequence flow leads to a run (the library requires one of every other task)."""

    def _update_hook(self, my_task: Any) -> Any:
        # Unlike the library's subprocess task, the run keeps the data it was given (the compensated
        # scope's variables) instead of taking its parent's.
        subprocess = my_task.workflow.top_workflow.subprocesses.get(my_task.id)
        if subprocess is None:
            self.start_workflow(my_task)
            my_task._set_state(TaskState.STARTED)
            return None
        return subprocess.completed

    def _on_complete_hook(self, my_task: Any) -> None:
        super()._on_complete_hook(my_task)
        throw = my_task.parent
        runs = [UUID(each) for each in throw.internal_data.get(_RUNS, [])]
        if throw.state == TaskState.STARTED and all(
                my_task.workflow.get_task_from_id(run).has_state(TaskState.FINISHED_MASK) for run in runs):
            throw._set_state(TaskState.READY)


class _Compensating:
    """Run by the compensating events: start the handler runs, then wait until they have ended."""

    handlers: Mapping[str, str] = MappingProxyType({})  # set per event by `attach`
    embedded: frozenset[str] = frozenset()
    event_definition: CompensationEventDefinition

    def _run_hook(self, my_task: Any) -> bool | None:
        if _RUNS not in my_task.internal_data:
            if isinstance(self.event_definition, CancelEventDefinition):
                _cancel_the_rest(my_task)  # Camunda ends the transaction's other paths before it compensates
            activity_ref = getattr(self.event_definition, "activity_ref", None)
            runs = _start_runs(my_task, activity_ref, self.handlers, self.embedded)
            my_task.internal_data[_RUNS] = [str(run.id) for run in runs]
            if runs:
                return None
        # What a handler sets, the process sees afterwards (Camunda sets a new variable on the process
        # instance), except the compensated subprocess's own variables it was shown; only what a run
        # changed is taken, so that runs side by side do not undo each other's changes.
        changes: dict[str, Any] = {}
        for run_id in my_task.internal_data[_RUNS]:
            run = my_task.workflow.get_task_from_id(UUID(run_id))
            hidden = set(run.internal_data.get(_LOCAL, ()))
            changes.update({name: value for name, value in run.data.items() if name not in hidden
                            and (name not in my_task.data or my_task.data[name] != value)})
        my_task.data.update(changes)
        result: bool = super()._run_hook(my_task)  # type: ignore[misc]  # throws a cancel (a compensation: nothing)
        return result


    def _on_cancel(self, my_task: Any) -> None:
        """Cancelled while its handlers run (an interrupting event on its scope): the runs end with it. The
        library has taken the run tasks out of the tree already, but not the subprocesses they ran."""
        super()._on_cancel(my_task)  # type: ignore[misc]
        for run_id in my_task.internal_data.get(_RUNS, []):
            _drop_subprocess(my_task.workflow.top_workflow, UUID(run_id))


def _drop_subprocess(top: Any, key: UUID) -> None:
    subworkflow = top.subprocesses.get(key)
    if subworkflow is None:
        return
    subworkflow.cancel()
    for task_id in list(subworkflow.tasks):  # a handler that is a subprocess itself, and so on
        _drop_subprocess(top, task_id)
    del top.subprocesses[key]


class CompensationThrowEvent(_Compensating, IntermediateThrowEvent):  # type: ignore[misc]
    pass


class CompensationEndEvent(_Compensating, EndEvent):  # type: ignore[misc]
    pass


def _cancel_the_rest(end: Any) -> None:
    """Everything still under way in the end event's scope, except the end event and what follows it."""
    ahead = {task.id for task in end}  # the end event and the tasks predicted after it
    for task in end.workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK):
        if task.id not in ahead and not task.has_state(TaskState.FINISHED_MASK):
            task.cancel()


def _start_runs(throw: Any, activity_ref: str | None, handlers: Mapping[str, str],
                embedded: frozenset[str]) -> list[Any]:
    top = throw.workflow.top_workflow
    jobs = _compensable(top, _scope(throw), activity_ref, handlers, embedded, dict(throw.data))
    runs = []
    for task, process_id, data in jobs:
        task.internal_data[_COMPENSATED] = True
        run = throw._add_child(throw.workflow.spec.task_specs[RUN_SPEC + process_id], TaskState.FUTURE)
        run.triggered = True  # the library keeps such children when the throw moves on
        run.internal_data[_OF] = str(task.id)
        local = sorted(name for name in data if name not in throw.data or data[name] != throw.data[name])
        if local:
            run.internal_data[_LOCAL] = local
        run.data = deepcopy(data)
        runs.append(run)
    for run in runs:
        run.task_spec._update(run)
    return runs


def _scope(throw: Any) -> Any:
    """The workflow whose completed activities a throw compensates: its own, except inside an event
    subprocess (then the scope around it) or a handler (then the compensated subprocess)."""
    top = throw.workflow.top_workflow
    workflow = throw.workflow
    while workflow is not top:
        parent = top.get_task_from_id(workflow.parent_task_id)
        if isinstance(parent.task_spec, CompensationRun):
            compensated = top.get_task_from_id(UUID(parent.internal_data[_OF]))
            return top.subprocesses.get(compensated.id) or compensated.workflow
        if isinstance(parent.task_spec, EventSubprocess):
            workflow = parent.workflow
            continue
        return workflow
    return workflow


def _compensable(top: Any, scope: Any, activity_ref: str | None, handlers: Mapping[str, str],
                 embedded: frozenset[str], data: dict[str, Any]) -> list[tuple[Any, str, dict[str, Any]]]:
    """(task, handler process, data) for each completed instance to compensate, the latest first."""
    found: list[tuple[float, list[tuple[Any, str, dict[str, Any]]]]] = []
    for task in scope.tasks.values():
        spec = task.task_spec
        if task.state != TaskState.COMPLETED or task.internal_data.get(_COMPENSATED) \
                or isinstance(spec, CompensationRun | LoopTask):
            continue
        bpmn_id = getattr(spec, "bpmn_id", None)
        if bpmn_id is None or (activity_ref and bpmn_id != activity_ref):
            continue
        if task.parent is not None and isinstance(task.parent.task_spec, LoopTask) \
                and task.parent.state != TaskState.COMPLETED:
            continue  # an instance of a multi-instance activity still running: not before the whole has ended
        subprocess = top.subprocesses.get(task.id) if isinstance(spec, SubWorkflowTask) else None
        local_data = dict(subprocess.last_task.data) if subprocess is not None and subprocess.last_task else {}
        if bpmn_id in handlers:
            found.append((task.last_state_change, [(task, handlers[bpmn_id], {**data, **local_data})]))
        elif subprocess is not None and bpmn_id in embedded:
            inner = _compensable(top, subprocess, None, handlers, embedded, {**data, **local_data})
            if inner:
                found.append((task.last_state_change, inner))
    found.sort(key=lambda entry: entry[0], reverse=True)
    return [job for _, jobs in found for job in jobs]


# --------------------------------------------------------------------------- lint


def check(document: Any) -> list[Any]:
    """What Camunda 7 refuses about compensation (BpmnParse), and what this engine does not run, per element."""
    from engine.runtime.lint_places import _finding

    root = document.root
    findings = []

    def refuse(element: etree._Element, message: str) -> None:
        findings.append(_finding(document, element, message))

    flows = [(flow.get("sourceRef"), flow.get("targetRef")) for flow in root.iter(_q("sequenceFlow"))]
    associations = {each.get("sourceRef"): each.get("targetRef") for each in root.iter(_q("association"))}
    elements = {each.get("id"): each for each in root.iter() if isinstance(each.tag, str) and each.get("id")}
    boundaries: dict[str, etree._Element] = {}
    for definition in root.iter(_q("compensateEventDefinition")):
        owner = definition.getparent()
        kind = local(owner.tag) if owner is not None else ""
        if owner is None:
            continue
        if kind == "boundaryEvent":
            # one without a handler is deployed by Camunda too (CompensateEventTest.testCompensateOrder): it
            # compensates nothing
            target = associations.get(owner.get("id"))
            if target is not None and (elements.get(target) is None
                                       or elements[target].get("isForCompensation") != "true"):
                refuse(owner, "Das Kompensations-Randereignis muss mit einer Kompensations-Aktivität "
                              "(isForCompensation=\"true\") verbunden sein.")
            if str(owner.get("attachedToRef")) in boundaries:
                refuse(owner, "Mehrere Kompensations-Randereignisse an derselben Aktivität sind nicht erlaubt.")
            boundaries[str(owner.get("attachedToRef"))] = owner
            if any(source == owner.get("id") for source, _ in flows):
                refuse(owner, "Ein Kompensations-Randereignis darf keinen ausgehenden Sequenzfluss haben.")
        elif kind == "startEvent":
            _check_compensation_start(owner, definition, refuse)
        elif kind in {"intermediateThrowEvent", "endEvent"}:
            _check_throw(owner, definition, elements, refuse)
        else:
            refuse(owner, "Ein Kompensations-Ereignis ist nur als Randereignis, als werfendes Zwischen- oder "
                          "Endereignis oder als Start eines Ereignis-Unterprozesses erlaubt.")
    for element in root.iter():
        if not isinstance(element.tag, str) or element.get("isForCompensation") != "true" \
                or element.get("triggeredByEvent") == "true":  # a compensation event subprocess marked so too
            continue
        element_id = element.get("id")
        if any(element_id in (source, target) for source, target in flows):
            refuse(element, "Eine Kompensations-Aktivität darf keinen ein- oder ausgehenden Sequenzfluss haben.")
        elif element_id not in associations.values():
            refuse(element, "Die Kompensations-Aktivität ist mit keinem Kompensations-Randereignis verbunden; "
                            "sie liefe nie.")
        for boundary in root.iter(_q("boundaryEvent")):
            if boundary.get("attachedToRef") == element_id:
                refuse(boundary, "Ein Randereignis an einer Kompensations-Aktivität kann die Engine nicht "
                                 "ausführen.")
    _check_cancel_events(root, refuse)
    for scope in root.iter(_q("subProcess"), _q("process")):
        handlers = [child for child in scope.iterchildren(_q("subProcess"))
                    if child.get("triggeredByEvent") == "true" and _is_compensation_start(child)]
        if len(handlers) > 1:
            refuse(handlers[1], "Ein Bereich darf nur einen Kompensations-Ereignis-Unterprozess haben.")
        if handlers and scope.get("id") in boundaries:
            refuse(handlers[0], "Der Unterprozess hat schon ein Kompensations-Randereignis; ein "
                                "Kompensations-Ereignis-Unterprozess daneben ist nicht erlaubt.")
    return findings


def _check_compensation_start(start: etree._Element, definition: etree._Element, refuse: Any) -> None:
    event_subprocess = start.getparent()
    scope = event_subprocess.getparent() if event_subprocess is not None else None
    if event_subprocess is None or event_subprocess.get("triggeredByEvent") != "true":
        refuse(start, "Ein Kompensations-Startereignis ist nur in einem Ereignis-Unterprozess erlaubt.")
    elif scope is None or local(scope.tag) != "subProcess":
        refuse(start, "Ein Kompensations-Ereignis-Unterprozess ist nur in einem Unterprozess erlaubt, nicht auf "
                      "Prozessebene.")
    # `activityRef` and `waitForCompletion` on it Camunda ignores with a warning; so does this engine.
    del definition


def _check_throw(owner: etree._Element, definition: etree._Element, elements: Mapping[str, etree._Element],
                 refuse: Any) -> None:
    if definition.get("waitForCompletion") == "false":
        refuse(owner, "Kompensation ohne Warten auf ihr Ende (waitForCompletion=\"false\") kann die Engine "
                      "nicht ausführen.")
    reference = definition.get("activityRef")
    if not reference:
        return
    target = elements.get(reference)
    scope = owner.getparent()
    if scope is not None and scope.get("triggeredByEvent") == "true":
        scope = scope.getparent()  # a throw in an event subprocess compensates the scope around it
    if target is None or target.getparent() is not scope:
        refuse(owner, f"Die zu kompensierende Aktivität »{reference}« liegt nicht im Bereich dieses Ereignisses.")


def _check_cancel_events(root: etree._Element, refuse: Any) -> None:
    """Cancel events as Camunda's BpmnParse allows them (an end event inside a transaction, one boundary event
    on a transaction), and a cancel end event only where a boundary event takes the cancelled transaction on."""
    cancel_boundaries: dict[str, list[etree._Element]] = {}
    for boundary in root.iter(_q("boundaryEvent")):
        if boundary.find(_q("cancelEventDefinition")) is not None:
            cancel_boundaries.setdefault(str(boundary.get("attachedToRef")), []).append(boundary)
    for boundaries in cancel_boundaries.values():
        for extra in boundaries[1:]:
            refuse(extra, "Mehrere Abbruch-Randereignisse an derselben Transaktion sind nicht erlaubt.")
    for cancel in root.iter(_q("cancelEventDefinition")):
        owner = cancel.getparent()
        if owner is None or local(owner.tag) != "endEvent":
            continue
        transaction = owner.getparent()
        while transaction is not None and local(transaction.tag) not in {"transaction", "process"}:
            transaction = transaction.getparent()
        if transaction is None or local(transaction.tag) != "transaction":
            refuse(owner, "Ein Abbruch-Endereignis ist nur in einem Transaktions-Unterprozess erlaubt.")
        elif str(transaction.get("id")) not in cancel_boundaries:
            refuse(owner, "Das Abbruch-Endereignis braucht ein Abbruch-Randereignis an seiner Transaktion; sonst "
                          "bliebe der Prozess nach dem Abbruch stehen.")
