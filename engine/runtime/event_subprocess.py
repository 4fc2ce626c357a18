"""Event subprocesses started by a message, run as Camunda 7 runs a non-interrupting one.

SpiffWorkflow 3.2 starts an event subprocess of the top process when its start event's message
arrives, but (1) lists no wait for it, (2) hands it the data the instance started with instead of
the process variables as they are now, and (3) keeps what it sets to itself. Camunda shares one
variable scope: the event subprocess sees the variables as they are when the message arrives,
and what it sets is visible to the rest of the process afterwards. Each message starts a new
run (a non-interrupting event subprocess can be triggered several times). Interrupting event
subprocesses and other start events are refused by lint (`lint.py`), not run half right.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.parser.task_parsers import SubprocessParser, SubWorkflowParser
from SpiffWorkflow.bpmn.specs.defaults import EventSubprocess
from SpiffWorkflow.util.task import TaskState

_MISSING = object()


def message_starts(workflow: Any) -> list[tuple[str, Any]]:
    """(start event id, message definition) of each event subprocess a message starts now."""
    if workflow.completed:
        return []
    starts = []
    for name in workflow.spec.start.trigger_specs:
        for start in workflow.subprocess_specs[name].bpmn_start_events:
            if type(start.event_definition).__name__ == "MessageEventDefinition":
                starts.append((start.bpmn_id, start.event_definition))
    return starts


def start_by_message(workflow: Any, definition: Any, name: str, payload: Any, variables: dict[str, Any]) -> None:
    """Start a new run of the event subprocess whose start event catches `definition`, in the process scope."""
    before = set(workflow.subprocesses)
    workflow.send_event(BpmnEvent(definition, {"payload": payload, "result_var": name}))
    for task_id in set(workflow.subprocesses) - before:
        workflow.get_task_from_id(task_id).data = deepcopy(variables)
        for task in workflow.subprocesses[task_id].get_tasks():  # they copied the data the instance began with
            task.data = deepcopy(variables)


def _current_data(my_task: Any, subworkflow: Any) -> dict[str, Any]:
    """The variables of the event subprocess's scope as they are now: the data of the element of that
    scope that changed last (the thrower of an error, the task a message interrupts), not the data the
    scope began with, which is what SpiffWorkflow hands a triggered event subprocess."""
    candidates = [task for task in my_task.workflow.get_tasks()
                  if task is not my_task and task.workflow is not subworkflow
                  and getattr(task.task_spec, "bpmn_id", None)
                  and task.has_state(TaskState.FINISHED_MASK | TaskState.READY | TaskState.WAITING | TaskState.STARTED)]
    if not candidates:
        return dict(my_task.data)
    latest = max(candidates, key=lambda task: task.last_state_change)
    return dict(latest.data)


class ScopedEventSubprocess(EventSubprocess):  # type: ignore[misc]
    """Starts with the scope's variables as they are now; an interrupting one (Camunda's default,
    `isInterrupting` not "false") cancels everything else in its scope first, which SpiffWorkflow
    does not (it runs every event subprocess as non-interrupting). On completion, what the run set
    or changed becomes visible to the tokens still on their way."""

    interrupting = False  # set by the parser

    def copy_data(self, my_task: Any, subworkflow: Any) -> None:
        if self.interrupting:
            _interrupt(my_task)
        start = subworkflow.get_next_task(spec_name="Start")
        start.set_data(**deepcopy(_current_data(my_task, subworkflow)))

    def _on_subworkflow_completed(self, subworkflow: Any, my_task: Any) -> None:
        start = subworkflow.get_next_task(spec_name="Start", state=TaskState.COMPLETED) or subworkflow.task_tree
        end = subworkflow.last_task.data if subworkflow.last_task else {}
        changed = {key: value for key, value in end.items()
                   if not key.startswith("_") and start.data.get(key, _MISSING) != value}
        own = {id(task) for task in subworkflow.get_tasks()} | {id(my_task)}
        # a waiting task takes its parent's data again on each update, so the finished parents get it too
        for task in my_task.workflow.top_workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK):
            for target in (task, task.parent):
                if target is not None and id(target) not in own:
                    target.data.update(deepcopy(changed))
        super()._on_subworkflow_completed(subworkflow, my_task)


def _interrupt(my_task: Any) -> None:
    """Cancel every unfinished element of the scope except this event subprocess (and what leads to it)."""
    lineage = set()
    parent = my_task
    while parent is not None:
        lineage.add(id(parent))
        parent = parent.parent
    for task in my_task.workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK):
        # a subprocess of the scope is cancelled with its task; the event subprocess's own run is spared
        if task.workflow is not my_task.workflow or id(task) in lineage or not getattr(task.task_spec, "bpmn_id", None):
            continue
        if not task.has_state(TaskState.FINISHED_MASK):
            task.cancel()


class ScopedSubWorkflowParser(SubWorkflowParser):  # type: ignore[misc]
    """The library looks for `triggeredByEvent` in the BPMN namespace, where no Modeler writes it."""

    def create_task(self) -> Any:
        subworkflow_spec = SubprocessParser.get_subprocess_spec(self)
        spec_class = ScopedEventSubprocess if self.node.get("triggeredByEvent") == "true" else self.spec_class
        spec = spec_class(self.spec, self.bpmn_id, subworkflow_spec=subworkflow_spec, **self.bpmn_attributes)
        if spec_class is ScopedEventSubprocess:
            starts = self.node.findall("{http://www.omg.org/spec/BPMN/20100524/MODEL}startEvent")
            spec.interrupting = any(start.get("isInterrupting", "true") != "false" for start in starts)
        return spec
