"""A signal reaches every running case that waits for it, through the service layer and `sro signal`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.bootstrap import bootstrap
from engine.runtime.clock import SimulatedClock
from engine.runtime.store import Event
from engine.services import Services

DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:signal id="Signal_Stichtag" name="Stichtag" />
  <bpmn:process id="Signalwarten" name="Auf den Stichtag warten" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Event_Stichtag" />
    <bpmn:intermediateCatchEvent id="Event_Stichtag" name="Stichtag erreicht">
      <bpmn:signalEventDefinition signalRef="Signal_Stichtag" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Event_Stichtag" targetRef="Task_Pruefen" />
    <bpmn:userTask id="Task_Pruefen" name="Prüfen" camunda:candidateGroups="ifk" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Task_Pruefen" targetRef="EndEvent_1" />
    <bpmn:endEvent id="EndEvent_1" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    result = bootstrap("sqlite:///" + str(tmp_path / "db.sqlite3"), clock=SimulatedClock(datetime(2025, 1, 6, 8,
                                                                                                   tzinfo=UTC)))
    path = tmp_path / "signal.bpmn"
    path.write_text(DIAGRAM, encoding="utf-8")
    result.deploy([path])
    yield result
    result.engine.database.dispose()


def test_a_signal_moves_every_case_that_waits_for_it(services: Services) -> None:
    first = services.start_case("K-0001", "team-nord", process_id="Signalwarten")
    second = services.start_case("K-0002", "team-nord", process_id="Signalwarten")
    assert [wait.kind for wait in services.waits(first.case_id)] == ["event"]
    assert services.send_signal("anderes Signal", actor="test") == []
    outcomes = services.send_signal("Stichtag", {"grund": "Jahreswechsel"}, actor="test")
    assert sorted(outcome.case_id for outcome in outcomes) == sorted([first.case_id, second.case_id])
    assert all(outcome.open_tasks == ["Task_Pruefen"] for outcome in outcomes)
    assert services.current_data(first.case_id)["grund"] == "Jahreswechsel"
    assert services.waits(first.case_id) == []
    with services.reading() as session:
        kinds = [event.kind for event in session.scalars(select(Event).where(Event.case_id == first.case_id))]
    assert "signal_empfangen" in kinds
