"""A timer-started event subprocess through the service layer: its timer is a stored wait the worker fires."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.bootstrap import bootstrap
from engine.runtime.clock import SimulatedClock
from engine.services import Services

DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="Fristablauf" name="Frist mit Ablauf" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Task_Bearbeiten" />
    <bpmn:userTask id="Task_Bearbeiten" name="Bearbeiten" camunda:candidateGroups="ifk" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_Bearbeiten" targetRef="EndEvent_1" />
    <bpmn:endEvent id="EndEvent_1" />
    <bpmn:subProcess id="Sub_Ablauf" name="Frist abgelaufen" triggeredByEvent="true">
      <bpmn:startEvent id="Start_Ablauf" name="14 Tage vergangen">
        <bpmn:timerEventDefinition><bpmn:timeDuration>P14D</bpmn:timeDuration></bpmn:timerEventDefinition>
      </bpmn:startEvent>
      <bpmn:sequenceFlow id="Flow_3" sourceRef="Start_Ablauf" targetRef="Task_Nachfassen" />
      <bpmn:userTask id="Task_Nachfassen" name="Nachfassen" camunda:candidateGroups="ifk" />
      <bpmn:sequenceFlow id="Flow_4" sourceRef="Task_Nachfassen" targetRef="End_Ablauf" />
      <bpmn:endEvent id="End_Ablauf" />
    </bpmn:subProcess>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    result = bootstrap("sqlite:///" + str(tmp_path / "db.sqlite3"),
                       clock=SimulatedClock(datetime(2025, 1, 6, 8, tzinfo=UTC)))
    path = tmp_path / "frist.bpmn"
    path.write_text(DIAGRAM, encoding="utf-8")
    result.deploy([path])
    yield result
    result.engine.database.dispose()


def test_the_worker_fires_the_timer_and_the_event_subprocess_interrupts(services: Services) -> None:
    case_id = services.start_case("K-0001", "team-nord", process_id="Fristablauf").case_id
    [wait] = services.waits(case_id)
    assert (wait.kind, wait.element_id) == ("timer", "Start_Ablauf")
    services.engine.clock.advance("P13D")  # type: ignore[attr-defined]
    assert services.fire_due_timers() == 0
    services.engine.clock.advance("P1D")  # type: ignore[attr-defined]
    assert services.fire_due_timers() == 1
    assert [task.element_id for task in services.open_tasks(case_id)] == ["Task_Nachfassen"]
    assert services.waits(case_id) == []


def test_ending_the_main_flow_ends_the_instance_and_its_timer(services: Services) -> None:
    started = services.start_case("K-0002", "team-nord", process_id="Fristablauf")
    [task] = services.open_tasks(started.case_id)
    outcome = services.complete_task(task.id, {}, actor="ifk-1")
    # the instance ended without waiting for its timer; the case goes on in its next cycle
    assert outcome.cycles_started == 1
    assert outcome.instance_id != started.instance_id
    [wait] = services.waits(started.case_id)
    assert wait.instance_id == outcome.instance_id
