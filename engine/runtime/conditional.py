"""Conditional events (intermediate catch, also after an event-based gateway, and boundary) as Camunda 7 runs them.

The condition is evaluated when the event is reached and again whenever the instance's variables may
have changed: after every command (a task completed, a message, a signal, a timer) and after the
steps that follow it. It sees the process variables as they are now, not the copy the waiting event
took when it was reached (SpiffWorkflow's data is per task). A variable the condition names that
does not exist yet makes it false, as Camunda's `tryEvaluate` does; any other failure is an error.
Conditional start events (of a process or an event subprocess) are refused by lint.
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


class CamundaConditional(ConditionalEventDefinition):  # type: ignore[misc]
    def has_fired(self, my_task: Any) -> bool:
        if my_task._get_internal_data("has_fired", False):
            return True
        fired = self.holds(my_task)
        my_task._set_internal_data(has_fired=fired)
        return fired

    def holds(self, my_task: Any) -> bool:
        """The condition, evaluated on the variables as they are now; when true, `my_task` takes them."""
        variables = ChainMap(_current_variables(my_task), my_task.data)
        engine = my_task.workflow.script_engine
        try:
            fired = engine.environment.evaluate(self.expression, dict(variables))
        except Exception as error:
            if "Unbekannte Variable" in str(error):
                fired = False
            else:
                raise ProcessError(getattr(my_task.task_spec, "bpmn_id", None), str(error)) from error
        if fired is True:
            my_task.data.update({key: value for key, value in variables.items() if not key.startswith("_")})
        return fired is True


def refresh_conditions(workflow: Any) -> bool:
    """Evaluate every waiting conditional event again; True if one of them fired.

    A conditional event after an event-based gateway waits in the gateway (SpiffWorkflow moves the
    events of its targets into it and polls only timers there): its condition is evaluated here,
    and when it holds, the gateway catches it and takes that way, as Camunda does.
    """
    fired = False
    for task in list(workflow.event_manager.tasks.values()):
        if task.state != TaskState.WAITING:
            continue
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


class ConditionalParsing:
    """Mixin for the event parsers: conditional definitions that see the current variables."""

    def parse_conditional_event(self, event: Any) -> Any:
        base = super().parse_conditional_event(event)  # type: ignore[misc]
        return CamundaConditional(base.expression, description=base.description)
