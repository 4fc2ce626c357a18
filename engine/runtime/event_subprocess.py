"""Event subprocesses, run as Camunda 7 runs them: started by a message, a signal, an error or an
escalation, interrupting (Camunda's default) or not, in the instance or in a subprocess running now.

SpiffWorkflow 3.2 starts an event subprocess of the top process when its start event's event
arrives, but (1) lists no wait for it, (2) hands it the data the instance started with instead of
the process variables as they are now, (3) keeps what it sets to itself, runs every event
subprocess as non-interrupting and never starts those of subprocesses. Camunda shares one variable
scope: the event subprocess sees the variables as they are when the event arrives, and what it sets
is visible to the rest of the process afterwards; a non-interrupting one can be triggered several
times, an interrupting one cancels the rest of its scope.

(4) When an event first starts a run, the library wires the scope's start task to the event
subprocess in the compiled process, which every instance of that version shares: instances started
afterwards began with a run of their own that waited for the event and kept them from ever ending
(the demo had 516 of 1,200 cases stuck so). `ScopedEventManager.catch` puts the start tasks'
outputs back as compiled after every event.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.parser.task_parsers import SubprocessParser, SubWorkflowParser
from SpiffWorkflow.bpmn.specs.defaults import EventSubprocess
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import (
    ErrorEventDefinition,
    EscalationEventDefinition,
    SignalEventDefinition,
)
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.util.event import EventManager
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

_MISSING = object()
# internal data of an event subprocess task: the variables its run began with, kept apart from the task data,
# which the library's data inheritance can change in place while the run goes on
_BEGAN_WITH = "sro_run_began_with"


def _scopes(workflow: Any) -> list[Any]:
    """The instance and every subprocess of it running now: each may have event subprocesses."""
    if workflow.completed:
        return []
    return [workflow, *(sub for sub in workflow.subprocesses.values() if not sub.completed)]


def message_starts(workflow: Any) -> list[tuple[str, Any]]:
    """(start event id, message definition) of each event subprocess a message starts now (in the instance
    or in a subprocess running now)."""
    starts = []
    for scope in _scopes(workflow):
        for name in scope.spec.start.trigger_specs:
            for start in workflow.subprocess_specs[name].bpmn_start_events:
                if type(start.event_definition).__name__ == "MessageEventDefinition":
                    starts.append((start.bpmn_id, start.event_definition))
    return starts


def signal_starts(workflow: Any) -> list[tuple[str, Any]]:
    """(start event id, signal definition) of each event subprocess a signal starts now."""
    if workflow.completed:
        return []
    return [(start.bpmn_id, start.event_definition) for name in workflow.spec.start.trigger_specs
            for start in workflow.subprocess_specs[name].bpmn_start_events
            if isinstance(start.event_definition, SignalEventDefinition)]


def signal_definition(workflow: Any, name: str) -> Any:
    """The definition of the signal `name` that something in the instance waits for, or None."""
    definitions = [candidate for task in workflow.event_manager.tasks.values()
                   for candidate in getattr(task.task_spec.event_definition, "event_definitions", None)
                   or [task.task_spec.event_definition]]
    definitions += [start.event_definition for spec in workflow.subprocess_specs.values()
                    if spec.name in workflow.spec.start.trigger_specs for start in spec.bpmn_start_events]
    return next((definition for definition in definitions
                 if isinstance(definition, SignalEventDefinition) and definition.name == name), None)


def start_by_message(workflow: Any, definition: Any, name: str, payload: Any, variables: dict[str, Any]) -> None:
    """Start a new run of the event subprocess whose start event catches `definition`, in the process scope."""
    before = set(workflow.subprocesses)
    workflow.send_event(BpmnEvent(definition, {"payload": payload, "result_var": name}))
    for task_id in set(workflow.subprocesses) - before:
        run = workflow.get_task_from_id(task_id)
        run.data = deepcopy(variables)
        run.internal_data[_BEGAN_WITH] = deepcopy(variables)
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

    def _on_complete_hook(self, my_task: Any) -> None:
        super()._on_complete_hook(my_task)
        # A triggered run is added to the tree after its scope was predicted: give it its way to the end.
        if self.interrupting and not my_task.children and self.outputs:
            my_task._sync_children(self.outputs, TaskState.FUTURE)
            for child in my_task.children:
                child.task_spec._predict(child, mask=TaskState.FUTURE | TaskState.PREDICTED_MASK)

    def copy_data(self, my_task: Any, subworkflow: Any) -> None:
        start = subworkflow.get_next_task(spec_name="Start")
        current = _current_data(my_task, subworkflow)
        start.set_data(**deepcopy(current))
        my_task.internal_data[_BEGAN_WITH] = deepcopy(current)

    def _on_subworkflow_completed(self, subworkflow: Any, my_task: Any) -> None:
        began_with = my_task.internal_data.pop(_BEGAN_WITH, None)
        if began_with is None:  # a run started before the variables it began with were kept (stored instances)
            start = subworkflow.get_next_task(spec_name="Start", state=TaskState.COMPLETED) or subworkflow.task_tree
            began_with = start.data
        end = subworkflow.last_task.data if subworkflow.last_task else {}
        changed = {key: value for key, value in end.items()
                   if not key.startswith("_") and began_with.get(key, _MISSING) != value}
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
        task.cancel()


class _Interrupt:
    """On the start event of an interrupting event subprocess: when it has caught its event, everything
    else in the scope is cancelled. Done then, not when the event is thrown, because the thrower (an
    escalation throw event, an error end event) is still running at that moment."""

    bpmn_id = "__sro_interrupt__"

    def set(self, start: Any) -> None:
        run = start.workflow
        if run.parent_task_id is not None:
            _interrupt(run.top_workflow.get_task_from_id(run.parent_task_id))


def attach_interrupts(specs: Any, subprocess_specs: Any) -> None:
    for spec in specs:
        for task_spec in spec.task_specs.values():
            if isinstance(task_spec, ScopedEventSubprocess) and task_spec.interrupting:
                inner = subprocess_specs.get(task_spec.spec)
                for start in getattr(inner, "bpmn_start_events", []):
                    if not any(isinstance(each, _Interrupt) for each in start.data_output_associations):
                        start.data_output_associations = [*start.data_output_associations, _Interrupt()]


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


class ScopedEventManager(EventManager):  # type: ignore[misc]
    """Also starts the event subprocesses of subprocesses: SpiffWorkflow starts those of the top
    process only, so an error thrown inside a subprocess passed its own error event subprocess by."""

    def catch(self, event: Any, internal: bool = True) -> int:
        starts = [self.workflow.spec.start, *(spec.start for spec in self.workflow.subprocess_specs.values())]
        compiled = [start.outputs for start in starts]
        try:
            return self._catch(event, internal)
        finally:
            for start, outputs in zip(starts, compiled, strict=True):
                start.outputs = outputs  # (4): the shared process spec stays as compiled

    def _catch(self, event: Any, internal: bool) -> int:
        if not hasattr(event, "sro_origin"):  # the library calls catch again for each scope upwards
            event.sro_origin = event.target
        skipped = self._skipped(event.sro_origin)
        scope = event.target
        while scope is not None and scope is not self.workflow:
            if any(task.workflow is scope and task.task_spec.event_definition.catches(task, event)
                   for task in self.tasks.values()):
                break  # something in this scope waits for it: the library delivers it
            started = [] if any(scope is each for each in skipped) else _start_nested(scope, event)
            if started:
                for task in started:
                    task.task_spec.catch(task, event)
                    task.task_spec._update(task)
                return len(started)
            scope = scope.parent_workflow
        count: int = super().catch(event, internal)
        return count

    def update_collaboration(self, event: Any) -> None:
        """A message or signal from outside also starts the event subprocesses of the subprocesses running now."""
        origin = getattr(event, "sro_origin", None)
        if origin is not None and isinstance(event.event_definition, ErrorEventDefinition | EscalationEventDefinition) \
                and self._inside_top_event_subprocess(origin):
            return  # thrown inside a run of the process's own event subprocess: not caught by them again (Camunda)
        super().update_collaboration(event)
        if origin is not None:
            return  # thrown inside the instance: the scopes on its way up were tried in `catch`
        for scope in _scopes(self.workflow)[1:]:
            if any(task.workflow.parent_workflow is scope and task.task_spec.event_definition.catches(task, event)
                   and isinstance(self.workflow.get_task_from_id(task.workflow.parent_task_id).task_spec,
                                  ScopedEventSubprocess) for task in self.tasks.values()):
                continue  # a run of it already waits for this event
            _start_nested(scope, event)

    def _inside_top_event_subprocess(self, origin: Any) -> bool:
        scope = origin
        while scope is not None and scope is not self.workflow:
            if scope.parent_workflow is self.workflow:
                owner = self.workflow.get_task_from_id(scope.parent_task_id)
                return isinstance(owner.task_spec, ScopedEventSubprocess)
            scope = scope.parent_workflow
        return False

    def _skipped(self, origin: Any) -> list[Any]:
        """Scopes whose event subprocesses must not catch what was thrown at `origin`: thrown inside one
        of their event subprocesses, it goes to the scope above (Camunda)."""
        skipped, scope = [], origin
        while scope is not None and scope is not self.workflow:
            owner = self.workflow.get_task_from_id(scope.parent_task_id)
            if isinstance(owner.task_spec, ScopedEventSubprocess):
                skipped.append(scope.parent_workflow)
            scope = scope.parent_workflow
        return skipped


def end_armed_timer_runs(top: Any) -> bool:
    """End the timer-started event subprocesses of each scope whose other paths have all ended.

    SpiffWorkflow starts a run of a timer-started event subprocess with its scope, waiting at the
    timer, and the scope's end waits for it; in Camunda the timer belongs to the scope and is removed
    when the scope ends. A run whose timer has not fired yet is cancelled once nothing else in its
    scope is open; a run already under way is waited for. True if any was cancelled.
    """
    ended = False
    if not any(isinstance(start.event_definition, TimerEventDefinition)
               for spec in top.subprocess_specs.values() for start in getattr(spec, "bpmn_start_events", [])):
        return False  # no timer start below the process: nothing to look for on each step
    for scope in _scopes(top):
        armed, other_open = [], False
        for task in scope.get_tasks(state=TaskState.NOT_FINISHED_MASK):
            if task.workflow is not scope or not getattr(task.task_spec, "bpmn_id", None):
                continue
            if isinstance(task.task_spec, ScopedEventSubprocess) and _armed(top, task):
                armed.append(task)
            else:
                other_open = True
        if armed and not other_open:
            for task in armed:
                task.cancel()
            for task in scope.get_tasks(state=TaskState.WAITING):
                if task.workflow is scope:
                    task.task_spec._update(task)  # the scope's end join: nothing is left to wait for
            ended = True
    return ended


def _armed(top: Any, task: Any) -> bool:
    """The run of this event subprocess only waits at its timer start event: nothing of it is under way (a
    cycle's start event waits on after firing, while the path it started runs)."""
    run = top.subprocesses.get(task.id)
    if run is None:
        return False
    starts, busy = [], False
    for each in run.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED):
        if not getattr(each.task_spec, "bpmn_id", None):
            continue
        if each.workflow is run and isinstance(each.task_spec, StartEvent) \
                and isinstance(getattr(each.task_spec, "event_definition", None), TimerEventDefinition):
            starts.append(each)
        else:
            busy = True
    return bool(starts) and not busy


def _start_nested(scope: Any, event: Any) -> list[Any]:
    """Start the event subprocess of `scope` (a subprocess's workflow) whose start event catches `event`;
    its waiting start event task(s), or [] if none catches it."""
    top = scope.top_workflow
    for name in scope.spec.start.trigger_specs:
        spec = top.subprocess_specs.get(name)
        for start in getattr(spec, "bpmn_start_events", []):
            if start.event_definition == event.event_definition:
                child_id = scope.spec.start.trigger_wf(scope.task_tree, name)
                started = top.subprocesses.get(child_id)
                if started is None:
                    return []
                return [task for task in top.event_manager.tasks.values() if task.workflow is started
                        and task.task_spec.event_definition.catches(task, event)]
    return []


class ScopedWorkflow(BpmnWorkflow):  # type: ignore[misc]
    """A workflow whose events also reach the event subprocesses of its subprocesses."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event_manager = ScopedEventManager(self)
        self.called_processes: Any = None  # call_activity.CalledProcesses: what a call resolved at run time may start


    def _do_engine_steps(self, will_complete_task: Any = None, did_complete_task: Any = None) -> bool:
        """The library's engine step, except that a subprocess removed during the step is not stepped on.

        An error or escalation caught on a multi-instance subprocess cancels the other instances while
        the step walks the list of subprocesses taken before it; the library then looks up the parent
        task of an instance already removed and fails ("A task with id ... was not found").
        """

        def update_workflow(wf: Any) -> int:
            # The library walks the whole task tree for the ready tasks, in tree order (which decides the order
            # they run in); most calls find none that runs by itself, which a look at the flat task tables tells
            # for a fraction of the walk. All tables: a compensation run hangs another workflow's tasks into this
            # tree (engine/runtime/compensation.py).
            if not self._ready_anywhere():
                return 0
            count = 0
            for task in wf.get_tasks(state=TaskState.READY):
                if not task.task_spec.manual:
                    if will_complete_task is not None:
                        will_complete_task(task)
                    task.run()
                    count += 1
                    if did_complete_task is not None:
                        did_complete_task(task)
            return count

        active = self.get_active_subprocesses()
        for subprocess in sorted(active, key=lambda v: v.depth, reverse=True):
            if not self._alive(subprocess):  # cancelled meanwhile
                continue
            count = None
            while count is None or count > 0:
                count = update_workflow(subprocess)
            if subprocess.parent_task_id is not None and self._alive(subprocess):
                task = self._existing_task(subprocess.parent_task_id)
                if task is not None:
                    task.task_spec._update(task)
        count = update_workflow(self)
        return count > 0 or len(self.get_active_subprocesses()) > len(active) or end_armed_timer_runs(self)

    def _ready_anywhere(self) -> bool:
        """Whether any task of the instance is ready to run by itself (not a user task)."""
        for workflow in (self, *self.subprocesses.values()):
            for task in workflow.tasks.values():
                if task.state == TaskState.READY and not task.task_spec.manual:
                    return True
        return False

    def _alive(self, subprocess: Any) -> bool:
        return any(each is subprocess for each in self.subprocesses.values())

    def _existing_task(self, task_id: Any) -> Any:
        try:
            return self.get_task_from_id(task_id)
        except TaskNotFoundException:
            return None
