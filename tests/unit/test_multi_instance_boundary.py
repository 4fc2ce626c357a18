"""An error or escalation caught on a multi-instance subprocess cancels its other instances (as in Camunda 7)
instead of crashing the engine step that still walks them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from lxml import etree

from engine.runtime.clock import SimulatedClock
from engine.runtime.model import read_document
from engine.runtime.spiff import SafeScriptEngine, compile_process, new_workflow, ready_user_tasks

HEAD = ('<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="t">')


def body(sequential: bool, definition: str) -> str:
    return f"""
  <startEvent id="S" /><sequenceFlow id="f1" sourceRef="S" targetRef="Sub" />
  <subProcess id="Sub">
    <multiInstanceLoopCharacteristics isSequential="{str(sequential).lower()}">
      <loopCardinality>3</loopCardinality>
    </multiInstanceLoopCharacteristics>
    <startEvent id="In" /><sequenceFlow id="g1" sourceRef="In" targetRef="T" />
    <userTask id="T" /><sequenceFlow id="g2" sourceRef="T" targetRef="Throw" />
    <endEvent id="Throw">{definition}</endEvent>
  </subProcess>
  <boundaryEvent id="Caught" attachedToRef="Sub">{definition}</boundaryEvent>
  <sequenceFlow id="f2" sourceRef="Caught" targetRef="After" />
  <userTask id="After" /><sequenceFlow id="f3" sourceRef="After" targetRef="E" />
  <sequenceFlow id="f4" sourceRef="Sub" targetRef="E" />
  <endEvent id="E" />"""


def run(text: str) -> Any:
    root = etree.fromstring(f'{HEAD}<error id="Err" errorCode="boom" /><escalation id="Esc" escalationCode="up" />'
                            f'<process id="P" isExecutable="true">{text}</process></definitions>')
    read_document(root, "p.bpmn")
    workflow = new_workflow(compile_process({"p.bpmn": root}, "P"), SafeScriptEngine(
        SimulatedClock(datetime(2025, 3, 3, 8, tzinfo=UTC))))
    workflow.do_engine_steps()
    return workflow


def complete_first(workflow: Any, element: str) -> None:
    task = next(task for task in ready_user_tasks(workflow) if task.task_spec.bpmn_id == element)
    task.run()
    workflow.do_engine_steps()


@pytest.mark.parametrize("sequential", [False, True])
@pytest.mark.parametrize("definition", ['<errorEventDefinition errorRef="Err" />',
                                        '<escalationEventDefinition escalationRef="Esc" />'])
def test_a_caught_event_cancels_every_instance_and_takes_the_boundary_path(sequential: bool, definition: str) -> None:
    workflow = run(body(sequential, definition))
    assert {task.task_spec.bpmn_id for task in ready_user_tasks(workflow)} == {"T"}
    complete_first(workflow, "T")
    assert [task.task_spec.bpmn_id for task in ready_user_tasks(workflow)] == ["After"]
    complete_first(workflow, "After")
    assert workflow.is_completed()
