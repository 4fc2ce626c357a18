"""A multi-instance subprocess over a collection written as a bare expression (`${items}`), as Camunda 7 reads it."""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import etree

from engine.runtime.clock import SimulatedClock
from engine.runtime.model import read_document
from engine.runtime.spiff import SafeScriptEngine, compile_process, new_workflow, ready_user_tasks

HEAD = ('<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="t">')


def test_a_subprocess_runs_once_per_element_of_a_collection_named_by_an_expression() -> None:
    body = """
  <startEvent id="S" /><sequenceFlow id="f1" sourceRef="S" targetRef="Sub" />
  <subProcess id="Sub">
    <multiInstanceLoopCharacteristics camunda:collection="${items}" camunda:elementVariable="item" />
    <startEvent id="In" /><sequenceFlow id="s1" sourceRef="In" targetRef="A" />
    <userTask id="A" /><sequenceFlow id="s2" sourceRef="A" targetRef="Out" /><endEvent id="Out" />
  </subProcess>
  <sequenceFlow id="f2" sourceRef="Sub" targetRef="E" /><endEvent id="E" />"""
    root = etree.fromstring(f'{HEAD}<process id="P" isExecutable="true">{body}</process></definitions>')
    read_document(root, "p.bpmn")
    workflow = new_workflow(compile_process({"p.bpmn": root}, "P"),
                            SafeScriptEngine(SimulatedClock(datetime(2025, 3, 3, 8, tzinfo=UTC))))
    workflow.task_tree.data = {"items": ["eins", "zwei"]}
    for task in workflow.get_tasks():
        if task.parent is not None:
            task.data = {"items": ["eins", "zwei"]}
    workflow.do_engine_steps()
    assert sorted(task.data["item"] for task in ready_user_tasks(workflow)) == ["eins", "zwei"]
