"""Error, escalation and signal events with Camunda 7's variables.

A catching error event may name `camunda:errorCodeVariable` and `camunda:errorMessageVariable`, an
escalation event `camunda:escalationCodeVariable`: Camunda sets them to the code (and message) of
what was caught, which matters most when a catch without a reference catches every code.
SpiffWorkflow has no such variables; these event definitions set them when the catch runs.

A thrown signal carries the variables its `camunda:in` elements name (all, one under a new name, an
expression's value) and nothing else, as in Camunda; SpiffWorkflow sent every variable of the thrower.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import (
    ErrorEventDefinition,
    EscalationEventDefinition,
    SignalEventDefinition,
)
from SpiffWorkflow.bpmn.util import BpmnEvent

from engine.runtime.call_activity import Passing, passed, read_passings
from engine.runtime.model import BPMN_NS, CAMUNDA_NS


class _Coded:
    code_variable: str | None = None
    message_variable: str | None = None
    message: str | None = None  # of a thrown error (bpmn:error camunda:errorMessage)

    def catch(self, my_task: Any, event: Any = None) -> None:
        thrown = event.event_definition
        my_task.internal_data["sro_caught"] = {"code": thrown.code, "message": getattr(thrown, "message", None)}
        super().catch(my_task, event)  # type: ignore[misc]

    def update_task_data(self, my_task: Any) -> None:
        super().update_task_data(my_task)  # type: ignore[misc]
        caught = my_task.internal_data.get("sro_caught") or {}
        if self.code_variable:
            my_task.data[self.code_variable] = caught.get("code")
        if self.message_variable:
            my_task.data[self.message_variable] = caught.get("message")


class CodedError(_Coded, ErrorEventDefinition):  # type: ignore[misc]
    pass


class CodedEscalation(_Coded, EscalationEventDefinition):  # type: ignore[misc]
    pass


class CamundaSignal(SignalEventDefinition):  # type: ignore[misc]
    ins: tuple[Passing, ...] = ()

    def throw(self, my_task: Any) -> None:
        engine = my_task.workflow.script_engine
        payload = passed(self.ins, my_task.data, lambda text: engine.evaluate(my_task, text),
                         my_task.internal_data.get("sro_hidden", {}))
        my_task.workflow.top_workflow.catch(BpmnEvent(self, payload=payload or None))


class CodedEventParsing:
    """Mixin for the event parsers: error and escalation definitions with their Camunda variables."""

    def parse_error_event(self, error_event: Any) -> Any:
        base = super().parse_error_event(error_event)  # type: ignore[misc]
        ours = CodedError(base.name, base.code, description=base.description)
        ours.code_variable = error_event.get(f"{{{CAMUNDA_NS}}}errorCodeVariable")
        ours.message_variable = error_event.get(f"{{{CAMUNDA_NS}}}errorMessageVariable")
        reference = error_event.get("errorRef")
        if reference:
            declared = error_event.getroottree().getroot().find(f"{{{BPMN_NS}}}error[@id='{reference}']")
            if declared is not None:
                ours.message = declared.get(f"{{{CAMUNDA_NS}}}errorMessage")
        return ours

    def parse_signal_event(self, signal_event: Any) -> Any:
        base = super().parse_signal_event(signal_event)  # type: ignore[misc]
        ours = CamundaSignal(base.name, description=base.description)
        ours.ins = read_passings(signal_event, "in") + read_passings(signal_event.getparent(), "in")
        return ours

    def parse_escalation_event(self, escalation_event: Any) -> Any:
        base = super().parse_escalation_event(escalation_event)  # type: ignore[misc]
        ours = CodedEscalation(base.name, base.code, description=base.description)
        ours.code_variable = escalation_event.get(f"{{{CAMUNDA_NS}}}escalationCodeVariable")
        return ours
