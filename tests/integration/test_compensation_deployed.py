"""Compensation in a deployed process: each command is its own transaction, the instance is stored in the
database between them and read back by a second set of services (as another web process would)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from engine.bootstrap import bootstrap
from engine.runtime.clock import SimulatedClock
from tests.conftest import make_sqlite

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="Buchung" isExecutable="true">
    <bpmn:startEvent id="Beginn"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Task_Hotel" name="Hotel buchen"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="Task_Pruefen" name="Buchung prüfen"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:intermediateThrowEvent id="Kompensieren"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f4</bpmn:outgoing><bpmn:compensateEventDefinition /></bpmn:intermediateThrowEvent>
    <bpmn:userTask id="Task_Danach" name="Kunden informieren"><bpmn:incoming>f4</bpmn:incoming>
      <bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="Ende"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:boundaryEvent id="Hotel_Kompensation" attachedToRef="Task_Hotel">
      <bpmn:compensateEventDefinition /></bpmn:boundaryEvent>
    <bpmn:userTask id="Task_Storno" name="Hotel stornieren" isForCompensation="true" />
    <bpmn:association id="a1" sourceRef="Hotel_Kompensation" targetRef="Task_Storno" />
    <bpmn:sequenceFlow id="f1" sourceRef="Beginn" targetRef="Task_Hotel" />
    <bpmn:sequenceFlow id="f2" sourceRef="Task_Hotel" targetRef="Task_Pruefen" />
    <bpmn:sequenceFlow id="f3" sourceRef="Task_Pruefen" targetRef="Kompensieren" />
    <bpmn:sequenceFlow id="f4" sourceRef="Kompensieren" targetRef="Task_Danach" />
    <bpmn:sequenceFlow id="f5" sourceRef="Task_Danach" targetRef="Ende" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_handler_is_an_open_task_and_the_process_goes_on_after_it_across_stored_steps(tmp_path: Path) -> None:
    processes = tmp_path / "processes"
    processes.mkdir()
    (processes / "buchung.bpmn").write_text(PROCESS, encoding="utf-8")
    clock = SimulatedClock(datetime(2026, 3, 2, 8, tzinfo=UTC))
    first = make_sqlite(tmp_path / "db.sqlite3", clock, processes)
    case_id = first.start_case("K-1", "nord", process_id="Buchung", actor="test").case_id

    def step(element: str) -> list[str]:
        # a fresh set of services each time: the instance comes from the database, not from memory
        services = bootstrap(f"sqlite:///{tmp_path / 'db.sqlite3'}", clock=clock)
        task = next(task for task in services.open_tasks(case_id) if task.element_id == element)
        return services.complete_task(task.id, {}, actor="test").open_tasks

    assert step("Task_Hotel") == ["Task_Pruefen"]
    assert step("Task_Pruefen") == ["Task_Storno"]  # the compensation waits for its handler
    assert [task.name for task in first.open_tasks(case_id)] == ["Hotel stornieren"]
    assert step("Task_Storno") == ["Task_Danach"]
    assert step("Task_Danach") == ["Task_Hotel"]  # the instance ended; the case's next cycle begins
