"""A subprocess without an end event ends when no token is left in it, as Camunda 7 ends it."""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import etree

from engine.runtime.clock import SimulatedClock
from engine.runtime.model import read_document
from engine.runtime.spiff import SafeScriptEngine, compile_process, new_workflow, ready_user_tasks

HEAD = '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="t">'


def test_a_parallel_join_without_outgoing_flow_ends_its_subprocess() -> None:
    body = """
  <startEvent id="S" /><sequenceFlow id="f1" sourceRef="S" targetRef="Sub" />
  <subProcess id="Sub">
    <startEvent id="In" /><sequenceFlow id="s1" sourceRef="In" targetRef="Fork" />
    <parallelGateway id="Fork" />
    <sequenceFlow id="s2" sourceRef="Fork" targetRef="A" /><sequenceFlow id="s3" sourceRef="Fork" targetRef="B" />
    <userTask id="A" /><userTask id="B" />
    <sequenceFlow id="s4" sourceRef="A" targetRef="Join" /><sequenceFlow id="s5" sourceRef="B" targetRef="Join" />
    <parallelGateway id="Join" />
  </subProcess>
  <sequenceFlow id="f2" sourceRef="Sub" targetRef="After" />
  <userTask id="After" />"""
    root = etree.fromstring(f'{HEAD}<process id="P" isExecutable="true">{body}</process></definitions>')
    read_document(root, "p.bpmn")
    workflow = new_workflow(compile_process({"p.bpmn": root}, "P"),
                            SafeScriptEngine(SimulatedClock(datetime(2025, 3, 3, 8, tzinfo=UTC))))
    workflow.do_engine_steps()
    for element in ("A", "B"):
        [task] = [task for task in ready_user_tasks(workflow) if task.task_spec.bpmn_id == element]
        task.run()
        workflow.do_engine_steps()
    assert [task.task_spec.bpmn_id for task in ready_user_tasks(workflow)] == ["After"]
