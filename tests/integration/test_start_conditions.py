"""Conditional start events of a process: a case waits there until its start condition is evaluated with given
variables (Camunda's evaluateStartConditions) through the service layer and `sro startbedingungen`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine.bootstrap import bootstrap
from engine.cli import main
from engine.runtime.clock import SimulatedClock
from engine.runtime.store import Event
from engine.services import Services

START = datetime(2025, 1, 6, 8, tzinfo=UTC)


def diagram(process_id: str, condition: str, listens: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D_{process_id}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{process_id}" isExecutable="true">
    <bpmn:startEvent id="Start_{process_id}">
      <bpmn:conditionalEventDefinition {listens}><bpmn:condition>{condition}</bpmn:condition>
      </bpmn:conditionalEventDefinition>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="F1_{process_id}" sourceRef="Start_{process_id}" targetRef="Task_{process_id}" />
    <bpmn:userTask id="Task_{process_id}" name="Bearbeiten" camunda:candidateGroups="ifk" />
    <bpmn:sequenceFlow id="F2_{process_id}" sourceRef="Task_{process_id}" targetRef="Ende_{process_id}" />
    <bpmn:endEvent id="Ende_{process_id}" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def database(tmp_path: Path) -> str:
    return "sqlite:///" + str(tmp_path / "db.sqlite3")


@pytest.fixture
def services(database: str, tmp_path: Path) -> Iterator[Services]:
    result = bootstrap(database, clock=SimulatedClock(START))
    for process_id, condition, listens in (("Antrag", "${betrag &gt; 100}", ""),
                                           ("Nachweis", "${true}", 'camunda:variableName="nachweis"')):
        path = tmp_path / f"{process_id}.bpmn"
        path.write_text(diagram(process_id, condition, listens), encoding="utf-8")
        result.deploy([path])
    yield result
    result.engine.database.dispose()


def test_cases_wait_at_the_conditional_start_until_the_condition_holds_with_the_given_variables(
        services: Services) -> None:
    first = services.start_case("K-0001", "team-nord", process_id="Antrag")
    second = services.start_case("K-0002", "team-nord", process_id="Antrag")
    assert [(w.kind, w.element_id, w.name) for w in services.waits(first.case_id)] == [
        ("event", "Start_Antrag", "Startbedingung")]
    assert services.open_tasks(first.case_id) == []
    assert services.evaluate_start_conditions({"betrag": 50}, actor="test") == []
    assert services.waits(first.case_id) != []
    outcomes = services.evaluate_start_conditions({"betrag": 150}, actor="test")
    assert sorted(o.case_id for o in outcomes) == sorted([first.case_id, second.case_id])
    assert all(o.open_tasks == ["Task_Antrag"] for o in outcomes)
    assert services.current_data(first.case_id)["betrag"] == 150
    with services.reading() as session:
        kinds = [e.kind for e in session.scalars(select(Event).where(Event.case_id == first.case_id))]
    assert "startbedingung_erfuellt" in kinds


def test_a_variable_name_needs_that_variable_among_the_given_ones(services: Services) -> None:
    case = services.start_case("K-0003", "team-nord", process_id="Nachweis")
    # `${true}` is not evaluated on its own: the case waits until the start conditions are evaluated
    assert [w.element_id for w in services.waits(case.case_id)] == ["Start_Nachweis"]
    assert services.evaluate_start_conditions({"anderes": 1}, actor="test") == []
    [outcome] = services.evaluate_start_conditions({"nachweis": True}, actor="test")
    assert (outcome.case_id, outcome.open_tasks) == (case.case_id, ["Task_Nachweis"])


def test_the_command_line_evaluates_the_start_conditions(services: Services, database: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    case = services.start_case("K-0004", "team-nord", process_id="Antrag")
    monkeypatch.setenv("DATABASE_URL", database)
    runner = CliRunner()
    nothing = runner.invoke(main, ["startbedingungen", "--var", "betrag=50"])
    assert (nothing.exit_code, nothing.output) == (0, "Bei keinem wartenden Fall ist eine Startbedingung erfüllt.\n")
    done = runner.invoke(main, ["startbedingungen", "--var", "betrag=150"])
    assert (done.exit_code, done.output) == (0, f"Startbedingung erfüllt bei 1 Fall/Fällen: {case.case_id}.\n")
    wrong = runner.invoke(main, ["startbedingungen", "--var", "betrag"])
    assert wrong.exit_code != 0 and "hat nicht die Form NAME=WERT" in wrong.output
