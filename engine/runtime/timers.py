"""Timers on the engine's clock (never the wall clock), and diagram text evaluated the way the Modeler writes it.

SpiffWorkflow's timer definitions read `datetime.now` in their module; these compute the due time
once from the engine's clock and keep it in the task's internal data, so it survives serialization.
Cycles are ISO 8601 repeating intervals (`R3/PT10M`) or Quartz cron expressions as Camunda 7 takes
them (`0 0/5 * * * ?`, see `cron.py`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
)
from SpiffWorkflow.bpmn.util import PendingBpmnEvent

from engine.runtime import expressions
from engine.runtime.cron import is_cron, next_fire
from engine.runtime.durations import add_duration, due_time, parse_cycle
from engine.runtime.errors import ProcessError


def element_id_of(task: Any) -> str | None:
    spec = getattr(task, "task_spec", None)
    return getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)


def evaluate_text(task: Any, text: str) -> Any:
    """Evaluate diagram text that is either `${...}` or a literal the Modeler writes unquoted (`P6M`)."""
    inner, wrapped = expressions.unwrap(text or "")
    if not wrapped and not (len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\""):
        return inner
    return task.workflow.script_engine.evaluate(task, text)




def _fires_once(spec: Any) -> bool:
    kind = type(spec).__name__
    if kind == "IntermediateCatchEvent":
        return True
    # the start event of an interrupting event subprocess carries its interrupt (`event_subprocess.py`)
    return kind == "StartEvent" and any(getattr(each, "bpmn_id", None) == "__sro_interrupt__"
                                        for each in getattr(spec, "data_output_associations", ()))


def _now(task: Any) -> datetime:
    now: datetime = task.workflow.script_engine.clock.now()
    return now


def _timer_due(task: Any, expression: str, relative: bool) -> str:
    due = task._get_internal_data("event_value")
    if due is None:
        value = evaluate_text(task, expression)
        try:
            # Camunda's business calendar takes a duration in a timeDate too (counted from now).
            moment = due_time(value, _now(task))
        except ValueError as error:
            raise ProcessError(element_id_of(task), str(error)) from error
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
            text = str(evaluate_text(my_task, self.expression))
            if is_cron(text):
                state = {"cycles": -1, "next": self._next(my_task, text, _now(my_task)).isoformat(),
                         "duration": self.expression}
            else:
                cycle = parse_cycle(text)
                first = add_duration(cycle.start or _now(my_task), cycle.duration)
                remaining = -1 if cycle.count is None else cycle.count
                state = {"cycles": remaining, "next": first.isoformat(), "duration": self.expression}
        ready = False
        if state["cycles"] != 0 and _fires_once(my_task.task_spec):
            # Camunda: an intermediate catch event with a cycle fires once, at the first due time, and goes
            # on (the library would run the path after it once per cycle, from the same event); so does
            # the start of an interrupting event subprocess: firing ends its scope, and the timer with it.
            fired = datetime.fromisoformat(state["next"]) <= _now(my_task)
            if fired:
                state["cycles"] = 0  # this one path is all; the next look completes the event
            my_task._set_internal_data(event_value=state)
            return fired
        elif state["cycles"] != 0:
            due = datetime.fromisoformat(state["next"])
            if due <= _now(my_task):
                text = str(evaluate_text(my_task, state["duration"]))
                if is_cron(text):
                    state["next"] = self._next(my_task, text, due).isoformat()
                else:
                    state["next"] = add_duration(due, parse_cycle(text).duration).isoformat()
                state["cycles"] -= 1
                ready = True
        else:
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True
            return False
        my_task._set_internal_data(event_value=state)
        return ready

    @staticmethod
    def _next(my_task: Any, text: str, after: datetime) -> datetime:
        try:
            return next_fire(text, after)
        except ValueError as error:
            raise ProcessError(element_id_of(my_task), str(error)) from error

    def details(self, my_task: Any) -> PendingBpmnEvent:
        state = my_task._get_internal_data("event_value")
        value = state["next"] if state is not None and state["cycles"] != 0 else None
        return PendingBpmnEvent(self.name, self.__class__.__name__, value)


class ClockTimerParsing:
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
