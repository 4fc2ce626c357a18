"""Conditional events (intermediate catch, also after an event-based gateway, and boundary) as Camunda 7 runs them.

The condition is evaluated when the event is reached and again whenever the instance's variables may
have changed: after every command (a task completed, a message, a signal, a timer) and after the
steps that follow it. It sees the process variables as they are now, not the copy the waiting event
took when it was reached (SpiffWorkflow's data is per task). A variable the condition names that
does not exist yet makes it false, as Camunda's `tryEvaluate` does; any other failure is an error.
An event subprocess started by a condition: the condition is evaluated when its scope has started
and again whenever the scope's variables have changed since it was last evaluated; an interrupting one
fires once (the rest of the scope is cancelled, see event_subprocess.py), a non-interrupting one starts
a run each time a change makes it hold.

A conditional start event of a process: an instance (a case's cycle) waits there, as it waits at a
message start event, until its start condition is evaluated with given variables (Camunda's
`createConditionEvaluation().setVariables(...).evaluateStartConditions()`, here `fire_start_conditions`)
and holds; the variables are then set on the instance. It is not re-evaluated on its own.
"""

from __future__ import annotations

from collections import ChainMap
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.runtime.errors import ProcessError


def _current_variables(my_task: Any) -> dict[str, Any]:
    workflow = my_task.workflow.top_workflow
    changed = [task for task in workflow.get_tasks(state=TaskState.FINISHED_MASK | TaskState.READY)
               if getattr(task.task_spec, "bpmn_id", None)]
    if not changed:
        return {}
    latest = max(changed, key=lambda task: task.last_state_change)
    return dict(latest.data)


VARIABLE_EVENTS = ("create", "update", "delete")
START_CONDITION = "Startbedingung"  # the name under which an instance waits at a conditional process start


class CamundaConditional(ConditionalEventDefinition):  # type: ignore[misc]
    # camunda:variableName / camunda:variableEvents (event subprocess starts only, see lint): the condition is
    # evaluated again only when these variables changed in one of these ways (empty: any variable, any way)
    variable_names: tuple[str, ...] = ()
    variable_events: tuple[str, ...] = ()
    def has_fired(self, my_task: Any) -> bool:
        if my_task._get_internal_data("has_fired", False):
            return True
        if self.name == START_CONDITION:
            return False  # a process start fires only when its start condition is evaluated (fire_start_conditions)
        fired = self.holds(my_task)
        my_task._set_internal_data(has_fired=fired)
        return fired

    def holds(self, my_task: Any) -> bool:
        """The condition, evaluated on the variables as they are now; when true, `my_task` takes them."""
        variables = ChainMap(_current_variables(my_task), my_task.data)
        fired = self.holds_on(dict(variables), getattr(my_task.task_spec, "bpmn_id", None),
                              my_task.workflow.script_engine)
        if fired:
            my_task.data.update({key: value for key, value in variables.items() if not key.startswith("_")})
        return fired

    def holds_on(self, variables: dict[str, Any], element_id: str | None, engine: Any) -> bool:
        """The condition on these variables; a variable it names that does not exist yet makes it false."""
        try:
            fired = engine.environment.evaluate(self.expression, variables)
        except Exception as error:
            if "Unbekannte Variable" in str(error):
                return False
            raise ProcessError(element_id, str(error)) from error
        return fired is True


def refresh_conditions(workflow: Any) -> bool:
    """Evaluate every waiting conditional event again; True if one of them fired.

    A conditional event after an event-based gateway waits in the gateway (SpiffWorkflow moves the
    events of its targets into it and polls only timers there): its condition is evaluated here,
    and when it holds, the gateway catches it and takes that way, as Camunda does.
    """
    fired = _conditional_starts(workflow)
    for task in list(workflow.event_manager.tasks.values()):
        if task.state != TaskState.WAITING or _is_start(task):
            continue  # a start waits for its evaluation (below; event subprocess starts in _conditional_starts)
        definition = task.task_spec.event_definition
        if isinstance(definition, CamundaConditional):
            task.task_spec._update(task)
            fired = fired or task.state != TaskState.WAITING
        elif isinstance(definition, MultipleEventDefinition) and not definition.parallel:
            member = next((each for each in definition.event_definitions
                           if isinstance(each, CamundaConditional) and each.holds(task)), None)
            if member is not None:
                definition.catch(task, BpmnEvent(member))
                task.task_spec._update(task)
                fired = fired or task.state != TaskState.WAITING
    return fired


_EVALUATED = "sro_conditional_start"  # internal data of a scope's root: per event subprocess, the variables
# the condition was last evaluated on ("fired" once an interrupting one has started)


def _conditional_starts(workflow: Any) -> bool:
    """Start each event subprocess whose conditional start holds on variables changed since its last evaluation."""
    fired = False
    if workflow.completed:
        return False
    scopes = [workflow, *(sub for sub in workflow.subprocesses.values() if not sub.completed)]
    for scope in scopes:
        for name in list(scope.spec.start.trigger_specs):
            spec = workflow.subprocess_specs.get(name)
            starts = [start for start in getattr(spec, "bpmn_start_events", [])
                      if isinstance(start.event_definition, CamundaConditional)]
            if not starts or scope.get_next_task(spec_name="Start", state=TaskState.COMPLETED) is None:
                continue
            holder = scope.task_tree
            evaluated = dict(holder.internal_data.get(_EVALUATED, {}))
            if evaluated.get(name) == "fired":
                continue
            reached = [task for task in scope.get_tasks(state=TaskState.FINISHED_MASK | TaskState.READY)
                       if task.workflow is scope and getattr(task.task_spec, "bpmn_id", None)]
            latest = max(reached, key=lambda task: task.last_state_change) if reached else holder
            variables = {**holder.data, **_current_variables(latest), **latest.data}
            definition = starts[0].event_definition
            seen = _snapshot(variables, definition.variable_names)
            before = evaluated.get(name)
            if before == seen:
                continue
            evaluated[name] = seen
            holder.internal_data[_EVALUATED] = evaluated
            if not _changed_as_asked(before, seen, definition):
                continue
            if not definition.holds_on(variables, starts[0].bpmn_id, holder.workflow.script_engine):
                continue
            if getattr(scope.spec.task_specs.get(name), "interrupting", True):
                evaluated[name] = "fired"
                holder.internal_data[_EVALUATED] = evaluated
            child_id = scope.spec.start.trigger_wf(scope.task_tree, name)
            run = workflow.subprocesses.get(child_id)
            for task in (run.get_tasks(state=TaskState.WAITING) if run is not None else []):
                if task.workflow is run and isinstance(getattr(task.task_spec, "event_definition", None),
                                                       CamundaConditional):
                    task._set_internal_data(has_fired=True)
                    task.data.update({key: value for key, value in variables.items() if not key.startswith("_")})
                    task.task_spec._update(task)
            fired = True
    return fired


def _is_start(task: Any) -> bool:
    return type(task.task_spec).__name__ == "StartEvent"


def fire_start_conditions(workflow: Any, variables: dict[str, Any]) -> list[str]:
    """Evaluate the start condition of each conditional process start the instance waits at, with its variables
    and these; where it holds (and, with camunda:variableName, one of those variables is given), the start fires
    and the variables are set. The element ids of the starts that fired."""
    fired = []
    for task in list(workflow.event_manager.tasks.values()):
        definition = task.task_spec.event_definition
        if task.state != TaskState.WAITING or not _is_start(task) or task.workflow is not workflow \
                or not isinstance(definition, CamundaConditional):
            continue
        if definition.variable_names and not any(name in variables for name in definition.variable_names):
            continue
        current = {**_current_variables(task), **task.data, **variables}
        if definition.holds_on(current, task.task_spec.bpmn_id, workflow.script_engine):
            for each in workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK):
                each.data.update(variables)  # the instance's variables, also on the tokens predicted already
            task._set_internal_data(has_fired=True)
            task.task_spec._update(task)
            fired.append(task.task_spec.bpmn_id)
    return fired


def _snapshot(variables: dict[str, Any], names: tuple[str, ...]) -> str:
    """The variables a conditional start listens to, as text (kept in the instance's state)."""
    if names:
        return repr([(name, name in variables, repr(variables.get(name))) for name in names])
    return repr(sorted((key, repr(value)) for key, value in variables.items() if not key.startswith("_")))


def _changed_as_asked(before: str | None, now: str, definition: CamundaConditional) -> bool:
    """Whether the change from `before` to `now` is one camunda:variableEvents listens to (always when the scope has
    just started, the default evaluation, or when no kinds are named)."""
    if before is None or not definition.variable_events or not definition.variable_names:
        return True
    import ast

    old = {name: (present, value) for name, present, value in ast.literal_eval(before)}
    for name, present, value in ast.literal_eval(now):
        was_present, old_value = old.get(name, (False, None))
        kind = "create" if present and not was_present else "delete" if was_present and not present else \
            "update" if present and old_value != value else None
        if kind in definition.variable_events:
            return True
    return False


class ConditionalParsing:
    """Mixin for the event parsers: conditional definitions that see the current variables."""

    def parse_conditional_event(self, event: Any) -> Any:
        base = super().parse_conditional_event(event)  # type: ignore[misc]
        result = CamundaConditional(base.expression, description=base.description)
        node = getattr(self, "node", None)
        parent = node.getparent() if node is not None else None
        if node is not None and parent is not None and node.tag.endswith("}startEvent") \
                and parent.tag.endswith("}process"):
            result.name = START_CONDITION
        camunda = "{http://camunda.org/schema/1.0/bpmn}"
        result.variable_names = tuple(filter(None, (part.strip() for part in
                                                    (event.get(f"{camunda}variableName") or "").split(","))))
        result.variable_events = tuple(filter(None, (part.strip() for part in
                                                     (event.get(f"{camunda}variableEvents") or "").split(","))))
        return result
