"""Conditional catch and boundary events: evaluated on arrival and again when variables change."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree

from engine.runtime.clock import SimulatedClock
from engine.runtime.engine import ProcessEngine
from engine.runtime.lint import lint_paths
from engine.runtime.model import read_document
from engine.runtime.spiff import SafeScriptEngine, compile_process, new_workflow, ready_user_tasks
from engine.runtime.store import Database

HEAD = ('<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="t">')
CLOCK = SimulatedClock(datetime(2025, 3, 3, 8, tzinfo=UTC))
ENGINE = ProcessEngine(Database("sqlite://"), CLOCK, SafeScriptEngine(CLOCK))


def run(body: str, data: dict[str, Any] | None = None) -> Any:
    root = etree.fromstring(f'{HEAD}<process id="P" isExecutable="true">{body}</process></definitions>')
    read_document(root, "p.bpmn")
    workflow = new_workflow(compile_process({"p.bpmn": root}, "P"), ENGINE.script_engine)
    workflow.task_tree.data = dict(data or {})
    for task in workflow.get_tasks():
        if task.parent is not None:
            task.data = dict(data or {})
    ENGINE.run_engine(workflow)
    return workflow


def ready(workflow: Any) -> list[str]:
    return sorted(task.task_spec.bpmn_id for task in ready_user_tasks(workflow))


def complete(workflow: Any, element: str, **data: Any) -> None:
    [task] = [task for task in ready_user_tasks(workflow) if task.task_spec.bpmn_id == element]
    ENGINE.complete_user_task(workflow, str(task.id), data)


CATCH = """
  <startEvent id="S" /><sequenceFlow id="f1" sourceRef="S" targetRef="Fork" />
  <parallelGateway id="Fork" />
  <sequenceFlow id="f2" sourceRef="Fork" targetRef="Wait" />
  <sequenceFlow id="f3" sourceRef="Fork" targetRef="Decide" />
  <intermediateCatchEvent id="Wait">
    <conditionalEventDefinition><condition>${approved == true}</condition></conditionalEventDefinition>
  </intermediateCatchEvent>
  <sequenceFlow id="f4" sourceRef="Wait" targetRef="After" />
  <userTask id="After" /><sequenceFlow id="f5" sourceRef="After" targetRef="E1" /><endEvent id="E1" />
  <userTask id="Decide" /><sequenceFlow id="f6" sourceRef="Decide" targetRef="E2" /><endEvent id="E2" />"""


def test_a_conditional_catch_passes_when_its_condition_holds_on_arrival() -> None:
    assert ready(run(CATCH, {"approved": True})) == ["After", "Decide"]


def test_a_conditional_catch_waits_and_fires_when_another_branch_sets_the_variable() -> None:
    workflow = run(CATCH)
    assert ready(workflow) == ["Decide"]  # `approved` does not exist yet: false, not an error
    complete(workflow, "Decide", approved=False)
    assert ready(workflow) == []
    assert not workflow.is_completed()


def test_a_conditional_catch_fires_on_the_change() -> None:
    workflow = run(CATCH)
    complete(workflow, "Decide", approved=True)
    assert ready(workflow) == ["After"]


def test_an_interrupting_conditional_boundary_event_cancels_its_task() -> None:
    body = """
  <startEvent id="S" /><sequenceFlow id="f1" sourceRef="S" targetRef="Fork" />
  <parallelGateway id="Fork" />
  <sequenceFlow id="f2" sourceRef="Fork" targetRef="Work" />
  <sequenceFlow id="f3" sourceRef="Fork" targetRef="Decide" />
  <userTask id="Work" /><sequenceFlow id="f4" sourceRef="Work" targetRef="E1" /><endEvent id="E1" />
  <boundaryEvent id="Stop" attachedToRef="Work">
    <conditionalEventDefinition><condition>${stop}</condition></conditionalEventDefinition>
  </boundaryEvent>
  <sequenceFlow id="f5" sourceRef="Stop" targetRef="Stopped" />
  <userTask id="Stopped" /><sequenceFlow id="f6" sourceRef="Stopped" targetRef="E3" /><endEvent id="E3" />
  <userTask id="Decide" /><sequenceFlow id="f7" sourceRef="Decide" targetRef="E2" /><endEvent id="E2" />"""
    workflow = run(body)
    assert ready(workflow) == ["Decide", "Work"]
    complete(workflow, "Decide", stop=True)
    assert ready(workflow) == ["Stopped"]


def test_two_conditional_start_events_of_one_process_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.bpmn"
    path.write_text(f'{HEAD}<process id="P" isExecutable="true"><startEvent id="S"><conditionalEventDefinition>'
                    '<condition>${x}</condition></conditionalEventDefinition></startEvent>'
                    '<startEvent id="S2"><conditionalEventDefinition>'
                    '<condition>${y}</condition></conditionalEventDefinition></startEvent>'
                    '<sequenceFlow id="f" sourceRef="S" targetRef="E" /><sequenceFlow id="f2" sourceRef="S2" '
                    'targetRef="E" /><endEvent id="E" /></process></definitions>',
                    encoding="utf-8")
    message = ("Ein Prozess mit bedingtem Start-Ereignis darf kein weiteres Start-Ereignis haben: Camunda startet je "
               "Start eine eigene Instanz, ein Fall hat nur eine.")
    assert [(f.element_id, f.message) for f in lint_paths([path])] == [("S", message), ("S2", message)]


GATEWAY = """
  <startEvent id="S" /><sequenceFlow id="f1" sourceRef="S" targetRef="Fork" />
  <parallelGateway id="Fork" />
  <sequenceFlow id="f2" sourceRef="Fork" targetRef="Choose" />
  <sequenceFlow id="f3" sourceRef="Fork" targetRef="Decide" />
  <eventBasedGateway id="Choose" />
  <sequenceFlow id="f4" sourceRef="Choose" targetRef="Approved" />
  <sequenceFlow id="f5" sourceRef="Choose" targetRef="Reminder" />
  <intermediateCatchEvent id="Approved">
    <conditionalEventDefinition><condition>${approved == true}</condition></conditionalEventDefinition>
  </intermediateCatchEvent>
  <intermediateCatchEvent id="Reminder">
    <timerEventDefinition><timeDuration>P30D</timeDuration></timerEventDefinition>
  </intermediateCatchEvent>
  <sequenceFlow id="f6" sourceRef="Approved" targetRef="After" />
  <sequenceFlow id="f7" sourceRef="Reminder" targetRef="Remind" />
  <userTask id="After" /><sequenceFlow id="f8" sourceRef="After" targetRef="E1" /><endEvent id="E1" />
  <userTask id="Remind" /><sequenceFlow id="f9" sourceRef="Remind" targetRef="E3" /><endEvent id="E3" />
  <userTask id="Decide" /><sequenceFlow id="f10" sourceRef="Decide" targetRef="E2" /><endEvent id="E2" />"""


def test_a_conditional_event_after_an_event_based_gateway_takes_its_way_when_the_condition_holds() -> None:
    workflow = run(GATEWAY)
    assert ready(workflow) == ["Decide"]
    complete(workflow, "Decide", approved=True)
    assert ready(workflow) == ["After"]  # the gateway took the conditional way; the timer is gone


def test_a_conditional_event_after_an_event_based_gateway_holding_on_arrival_is_taken_at_once() -> None:
    assert ready(run(GATEWAY, {"approved": True})) == ["After", "Decide"]
