"""An event subprocess started by a condition, through the service layer: a completed task form changes the
variable, the run starts beside the flow, and the stored state remembers what the condition last saw."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.bootstrap import bootstrap
from engine.runtime.clock import SimulatedClock
from engine.services import Services
from tests.integration.test_call_binding import HEAD, START, complete_only_task, write


@pytest.fixture
def database(tmp_path: Path) -> str:
    return "sqlite:///" + str(tmp_path / "db.sqlite3")


@pytest.fixture
def services(database: str) -> Iterator[Services]:
    result = bootstrap(database, clock=SimulatedClock(START))
    yield result
    result.engine.database.dispose()


CONDITIONAL = f"""{HEAD}  <bpmn:process id="Bedingt" isExecutable="true">
    <bpmn:startEvent id="Bedingt_Start" />
    <bpmn:sequenceFlow id="B1" sourceRef="Bedingt_Start" targetRef="Task_Erfassen" />
    <bpmn:userTask id="Task_Erfassen" name="Erfassen" camunda:candidateGroups="ifk">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="stufe" label="Stufe" type="long" />
      </camunda:formData></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="B2" sourceRef="Task_Erfassen" targetRef="Task_Weiter" />
    <bpmn:userTask id="Task_Weiter" name="Weiter" camunda:candidateGroups="ifk" />
    <bpmn:sequenceFlow id="B3" sourceRef="Task_Weiter" targetRef="Bedingt_Ende" />
    <bpmn:endEvent id="Bedingt_Ende" />
    <bpmn:subProcess id="Sub_Eskalation" triggeredByEvent="true">
      <bpmn:startEvent id="Eskalation_Start" isInterrupting="false">
        <bpmn:conditionalEventDefinition><bpmn:condition>${{stufe &gt;= 3}}</bpmn:condition>
        </bpmn:conditionalEventDefinition>
      </bpmn:startEvent>
      <bpmn:sequenceFlow id="E1" sourceRef="Eskalation_Start" targetRef="Task_Leitung" />
      <bpmn:userTask id="Task_Leitung" name="Leitung informieren" camunda:candidateGroups="leitung" />
      <bpmn:sequenceFlow id="E2" sourceRef="Task_Leitung" targetRef="Eskalation_Ende" />
      <bpmn:endEvent id="Eskalation_Ende" />
    </bpmn:subProcess>
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_conditional_event_subprocess_starts_when_a_command_changes_its_variable(
        services: Services, database: str, tmp_path: Path) -> None:
    services.deploy([write(tmp_path, "bedingt.bpmn", CONDITIONAL)])
    case = services.start_case("K-0001", "team-nord", data={"stufe": 1}, process_id="Bedingt")
    assert complete_only_task(services, case.case_id, {"stufe": 3}) == "Task_Erfassen"
    assert sorted((t.name, t.candidate_groups) for t in services.open_tasks(case.case_id)) == [
        ("Leitung informieren", "leitung"), ("Weiter", "ifk")]
    # read back from the stored state by a fresh engine: nothing changed, so no second run starts
    again = bootstrap(database, clock=SimulatedClock(START))
    try:
        [weiter] = [t for t in again.open_tasks(case.case_id) if t.element_id == "Task_Weiter"]
        again.complete_task(weiter.id, {}, actor="test")
        assert [t.element_id for t in again.open_tasks(case.case_id)] == ["Task_Leitung"]
    finally:
        again.engine.database.dispose()
