"""Multi-instance subprocesses over a collection (camunda:collection, camunda:elementVariable), nested and
sequential: each instance has its item for itself, as in Camunda 7."""

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


def loop(sequential: bool, collection: str, variable: str) -> str:
    return (f'<multiInstanceLoopCharacteristics isSequential="{str(sequential).lower()}" '
            f'camunda:collection="{collection}" camunda:elementVariable="{variable}" />')


def run(sequential: bool) -> Any:
    body = f"""
  <startEvent id="S" /><sequenceFlow id="f1" sourceRef="S" targetRef="Sub" />
  <subProcess id="Sub">{loop(sequential, "groups", "group")}
    <startEvent id="In" /><sequenceFlow id="g1" sourceRef="In" targetRef="T" />
    <userTask id="T">{loop(False, "people", "person")}</userTask>
    <sequenceFlow id="g2" sourceRef="T" targetRef="Out" /><endEvent id="Out" />
  </subProcess>
  <sequenceFlow id="f2" sourceRef="Sub" targetRef="E" /><endEvent id="E" />"""
    root = etree.fromstring(f'{HEAD}<process id="P" isExecutable="true">{body}</process></definitions>')
    read_document(root, "p.bpmn")
    workflow = new_workflow(compile_process({"p.bpmn": root}, "P"), SafeScriptEngine(
        SimulatedClock(datetime(2025, 3, 3, 8, tzinfo=UTC))))
    workflow.task_tree.data = {"groups": ["A", "B"], "people": ["kermit", "gonzo"]}
    for task in workflow.get_tasks():
        task.data = dict(workflow.task_tree.data)
    workflow.do_engine_steps()
    return workflow


@pytest.mark.parametrize("sequential", [False, True])
def test_each_instance_has_its_item_and_the_process_does_not_keep_the_last(sequential: bool) -> None:
    workflow = run(sequential)
    seen = []
    for _ in range(10):
        ready = ready_user_tasks(workflow)
        if not ready:
            break
        for task in ready:
            seen.append((task.data["group"], task.data["person"]))
            task.run()
        workflow.do_engine_steps()
    assert workflow.is_completed()
    assert sorted(seen) == [("A", "gonzo"), ("A", "kermit"), ("B", "gonzo"), ("B", "kermit")]
    end = workflow.get_tasks(spec_name="E")[0]
    assert "group" not in end.data and "person" not in end.data
