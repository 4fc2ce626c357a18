"""Which process a call activity calls, as Camunda 7 resolves it, through the real deployment and service layer:
calledElement as an expression (`${...}`, `#{...}`) resolved from the variables when the instance gets there,
camunda:calledElementBinding "version" (camunda:calledElementVersion) and "deployment"."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.bootstrap import bootstrap
from engine.runtime.clock import SimulatedClock
from engine.runtime.errors import DeploymentError, ProcessError
from engine.services import Services

START = datetime(2025, 1, 6, 8, tzinfo=UTC)
HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="http://bpmn.io/schema/bpmn">
"""


def caller(call: str) -> str:
    return f"""{HEAD}  <bpmn:process id="Aufrufer" isExecutable="true">
    <bpmn:startEvent id="Aufruf_Start" />
    <bpmn:sequenceFlow id="F1" sourceRef="Aufruf_Start" targetRef="Task_Vorher" />
    <bpmn:userTask id="Task_Vorher" name="Vorher" camunda:candidateGroups="ifk">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="welcher" label="Welcher Prozess" type="string" />
      </camunda:formData></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Task_Vorher" targetRef="Call_Teil" />
    <bpmn:callActivity id="Call_Teil" {call} />
    <bpmn:sequenceFlow id="F3" sourceRef="Call_Teil" targetRef="Task_Nachher" />
    <bpmn:userTask id="Task_Nachher" name="Nachher" camunda:candidateGroups="ifk" />
    <bpmn:sequenceFlow id="F4" sourceRef="Task_Nachher" targetRef="Aufruf_Ende" />
    <bpmn:endEvent id="Aufruf_Ende" />
  </bpmn:process>
</bpmn:definitions>
"""


def callee(name: str, tag: str = "") -> str:
    tagged = f' camunda:versionTag="{tag}"' if tag else ""
    return f"""{HEAD}  <bpmn:process id="Teilprozess" isExecutable="true"{tagged}>
    <bpmn:startEvent id="Teil_Start" />
    <bpmn:sequenceFlow id="T1" sourceRef="Teil_Start" targetRef="Task_Teil" />
    <bpmn:userTask id="Task_Teil" name="{name}" camunda:candidateGroups="team-teil" />
    <bpmn:sequenceFlow id="T2" sourceRef="Task_Teil" targetRef="Teil_Ende" />
    <bpmn:endEvent id="Teil_Ende" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def database(tmp_path: Path) -> str:
    return "sqlite:///" + str(tmp_path / "db.sqlite3")


@pytest.fixture
def services(database: str) -> Iterator[Services]:
    result = bootstrap(database, clock=SimulatedClock(START))
    yield result
    result.engine.database.dispose()


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def complete_only_task(services: Services, case_id: int, data: dict[str, object] | None = None) -> str:
    [task] = services.open_tasks(case_id)
    services.complete_task(task.id, data or {}, actor="test")
    return task.element_id


def test_a_called_element_expression_is_resolved_from_the_variables_and_survives_a_restart(
        services: Services, database: str, tmp_path: Path) -> None:
    services.deploy([write(tmp_path / "a", "aufrufer.bpmn", caller('calledElement="${welcher}"')),
                     write(tmp_path / "a", "teil.bpmn", callee("Im Teilprozess"))])
    case = services.start_case("K-0001", "team-nord", process_id="Aufrufer")
    complete_only_task(services, case.case_id, {"welcher": "Teilprozess"})
    [task] = services.open_tasks(case.case_id)
    assert (task.element_id, task.name, task.candidate_groups) == ("Task_Teil", "Im Teilprozess", "team-teil")
    # a fresh engine reads the instance from its stored state: the called process is found again
    again = bootstrap(database, clock=SimulatedClock(START))
    try:
        assert complete_only_task(again, case.case_id) == "Task_Teil"
        assert [t.element_id for t in again.open_tasks(case.case_id)] == ["Task_Nachher"]
    finally:
        again.engine.database.dispose()


def test_a_hash_expression_works_the_same(services: Services, tmp_path: Path) -> None:
    services.deploy([write(tmp_path, "aufrufer.bpmn", caller('calledElement="#{welcher}"')),
                     write(tmp_path, "teil.bpmn", callee("Im Teilprozess"))])
    case = services.start_case("K-0001", "team-nord", process_id="Aufrufer")
    complete_only_task(services, case.case_id, {"welcher": "Teilprozess"})
    assert [t.element_id for t in services.open_tasks(case.case_id)] == ["Task_Teil"]


def test_an_expression_naming_no_deployed_process_is_a_german_error_at_the_call_activity(
        services: Services, tmp_path: Path) -> None:
    services.deploy([write(tmp_path, "aufrufer.bpmn", caller('calledElement="${welcher}"'))])
    case = services.start_case("K-0001", "team-nord", process_id="Aufrufer")
    [task] = services.open_tasks(case.case_id)
    with pytest.raises(ProcessError) as raised:
        services.complete_task(task.id, {"welcher": "GibtEsNicht"}, actor="test")
    assert raised.value.element_id == "Call_Teil"
    assert "Der aufgerufene Prozess »GibtEsNicht« ist nicht bereitgestellt." in str(raised.value)
    assert [t.element_id for t in services.open_tasks(case.case_id)] == ["Task_Vorher"]  # nothing saved


def test_the_version_binding_calls_the_named_version(services: Services, tmp_path: Path) -> None:
    services.deploy([write(tmp_path / "v1", "teil.bpmn", callee("Version eins"))])
    services.deploy([write(tmp_path / "v2", "teil.bpmn", callee("Version zwei"))])
    services.deploy([write(tmp_path / "a", "aufrufer.bpmn", caller(
        'calledElement="Teilprozess" camunda:calledElementBinding="version" camunda:calledElementVersion="1"'))])
    case = services.start_case("K-0001", "team-nord", process_id="Aufrufer")
    complete_only_task(services, case.case_id)
    assert [t.name for t in services.open_tasks(case.case_id)] == ["Version eins"]


def test_the_version_tag_binding_calls_the_latest_version_with_that_tag(services: Services, tmp_path: Path) -> None:
    services.deploy([write(tmp_path / "v1", "teil.bpmn", callee("Erste mit Tag", tag="2024-12"))])
    services.deploy([write(tmp_path / "v2", "teil.bpmn", callee("Zweite mit Tag", tag="2025-01"))])
    services.deploy([write(tmp_path / "v3", "teil.bpmn", callee("Ohne Tag"))])
    services.deploy([write(tmp_path / "a", "aufrufer.bpmn", caller(
        'calledElement="Teilprozess" camunda:calledElementBinding="versionTag" '
        'camunda:calledElementVersionTag="${tag}"'))])
    case = services.start_case("K-0001", "team-nord", data={"tag": "2025-01"}, process_id="Aufrufer")
    complete_only_task(services, case.case_id)
    assert [t.name for t in services.open_tasks(case.case_id)] == ["Zweite mit Tag"]
    other = services.start_case("K-0002", "team-nord", data={"tag": "2026-01"}, process_id="Aufrufer")
    [task] = services.open_tasks(other.case_id)
    with pytest.raises(ProcessError) as raised:
        services.complete_task(task.id, {}, actor="test")
    assert raised.value.element_id == "Call_Teil"
    assert "Der aufgerufene Prozess »Teilprozess« mit dem Versions-Tag »2026-01« ist nicht bereitgestellt." \
        in str(raised.value)


def test_a_version_tag_on_two_deployed_files_is_ambiguous_as_in_camunda(services: Services, tmp_path: Path) -> None:
    services.deploy([write(tmp_path / "v1", "teil.bpmn", callee("Erste", tag="2025-01"))])
    services.deploy([write(tmp_path / "v2", "teil.bpmn", callee("Zweite", tag="2025-01"))])
    services.deploy([write(tmp_path / "a", "aufrufer.bpmn", caller(
        'calledElement="Teilprozess" camunda:calledElementBinding="versionTag" '
        'camunda:calledElementVersionTag="2025-01"'))])
    case = services.start_case("K-0001", "team-nord", process_id="Aufrufer")
    [task] = services.open_tasks(case.case_id)
    with pytest.raises(ProcessError) as raised:
        services.complete_task(task.id, {}, actor="test")
    assert raised.value.element_id == "Call_Teil"
    assert "Der Versions-Tag »2025-01« des aufgerufenen Prozesses »Teilprozess« ist mehrdeutig: 2 bereitgestellte " \
           "Fassungen tragen ihn." in str(raised.value)


def test_a_version_given_as_expression_and_missing_is_named(services: Services, tmp_path: Path) -> None:
    services.deploy([write(tmp_path / "v1", "teil.bpmn", callee("Version eins"))])
    services.deploy([write(tmp_path / "a", "aufrufer.bpmn", caller(
        'calledElement="Teilprozess" camunda:calledElementBinding="version" '
        'camunda:calledElementVersion="${version}"'))])
    case = services.start_case("K-0001", "team-nord", data={"version": 3}, process_id="Aufrufer")
    [task] = services.open_tasks(case.case_id)
    with pytest.raises(ProcessError) as raised:
        services.complete_task(task.id, {}, actor="test")
    assert raised.value.element_id == "Call_Teil"
    assert "Der aufgerufene Prozess »Teilprozess« in Version 3 ist nicht bereitgestellt." in str(raised.value)


def test_the_deployment_binding_keeps_the_callee_deployed_with_the_caller(services: Services, tmp_path: Path) -> None:
    binding = 'calledElement="Teilprozess" camunda:calledElementBinding="deployment"'
    first = services.deploy([write(tmp_path / "a", "aufrufer.bpmn", caller(binding)),
                             write(tmp_path / "a", "teil.bpmn", callee("Mit dem Aufrufer"))])
    assert sorted(first) == [("Aufrufer", 1), ("Teilprozess", 1)]
    assert services.deploy([write(tmp_path / "b", "teil.bpmn", callee("Später allein"))]) == [("Teilprozess", 2)]
    case = services.start_case("K-0001", "team-nord", process_id="Aufrufer")
    complete_only_task(services, case.case_id)
    assert [t.name for t in services.open_tasks(case.case_id)] == ["Mit dem Aufrufer"]


def test_the_latest_binding_follows_a_newer_callee(services: Services, tmp_path: Path) -> None:
    services.deploy([write(tmp_path / "a", "aufrufer.bpmn", caller('calledElement="Teilprozess"')),
                     write(tmp_path / "a", "teil.bpmn", callee("Mit dem Aufrufer"))])
    services.deploy([write(tmp_path / "b", "teil.bpmn", callee("Später allein"))])
    case = services.start_case("K-0001", "team-nord", process_id="Aufrufer")
    complete_only_task(services, case.case_id)
    assert [t.name for t in services.open_tasks(case.case_id)] == ["Später allein"]


def test_a_deployment_binding_without_the_callee_in_the_same_deployment_is_refused(
        services: Services, tmp_path: Path) -> None:
    services.deploy([write(tmp_path / "b", "teil.bpmn", callee("Allein"))])
    with pytest.raises(DeploymentError) as raised:
        services.deploy([write(tmp_path / "a", "aufrufer.bpmn", caller(
            'calledElement="Teilprozess" camunda:calledElementBinding="deployment"'))])
    [finding] = raised.value.findings
    assert finding.element_id == "Call_Teil"
    assert finding.message == ("Der aufgerufene Prozess »Teilprozess« wird nicht zusammen mit diesem Diagramm "
                               "bereitgestellt (camunda:calledElementBinding »deployment«).")


@pytest.mark.parametrize(("attributes", "message"), [
    ('calledElement="Teilprozess" camunda:calledElementBinding="versionTag"',
     "camunda:calledElementBinding »versionTag« braucht camunda:calledElementVersionTag."),
    ('calledElement="Teilprozess" camunda:calledElementVersionTag="v1"',
     "camunda:calledElementVersionTag gilt nur mit camunda:calledElementBinding »versionTag«; hier ginge es "
     "stillschweigend verloren."),
    ('calledElement="Teilprozess" camunda:calledElementBinding="version"',
     "camunda:calledElementBinding »version« braucht camunda:calledElementVersion."),
    ('calledElement="Teilprozess" camunda:calledElementBinding="version" camunda:calledElementVersion="eins"',
     "camunda:calledElementVersion »eins« ist keine Versionsnummer (1, 2, ...)."),
    ('calledElement="Teilprozess" camunda:calledElementVersion="2"',
     "camunda:calledElementVersion gilt nur mit camunda:calledElementBinding »version«; hier ginge sie "
     "stillschweigend verloren."),
    ('calledElement="${welcher}" camunda:calledElementBinding="deployment"',
     "Ein Ausdruck als calledElement mit camunda:calledElementBinding »deployment« wird nicht unterstützt; bitte die "
     "Prozess-ID angeben."),
])
def test_what_cannot_be_honoured_is_refused_naming_the_call_activity(
        services: Services, tmp_path: Path, attributes: str, message: str) -> None:
    with pytest.raises(DeploymentError) as raised:
        services.deploy([write(tmp_path, "aufrufer.bpmn", caller(attributes)),
                         write(tmp_path, "teil.bpmn", callee("Teil"))])
    assert [(f.element_id, f.message) for f in raised.value.findings] == [("Call_Teil", message)]



def test_an_expression_naming_an_embedded_subprocess_is_no_process(services: Services, tmp_path: Path) -> None:
    embedded = caller('calledElement="${welcher}"').replace(
        '<bpmn:sequenceFlow id="F3" sourceRef="Call_Teil" targetRef="Task_Nachher" />',
        '<bpmn:sequenceFlow id="F3" sourceRef="Call_Teil" targetRef="Eingebettet" />\n'
        '    <bpmn:subProcess id="Eingebettet"><bpmn:startEvent id="ES" />'
        '<bpmn:sequenceFlow id="EF" sourceRef="ES" targetRef="EE" /><bpmn:endEvent id="EE" /></bpmn:subProcess>\n'
        '    <bpmn:sequenceFlow id="F5" sourceRef="Eingebettet" targetRef="Task_Nachher" />')
    assert 'targetRef="Eingebettet"' in embedded
    services.deploy([write(tmp_path, "aufrufer.bpmn", embedded)])
    case = services.start_case("K-0001", "team-nord", process_id="Aufrufer")
    [task] = services.open_tasks(case.case_id)
    with pytest.raises(ProcessError) as raised:
        services.complete_task(task.id, {"welcher": "Eingebettet"}, actor="test")
    assert raised.value.element_id == "Call_Teil"
    assert "Der aufgerufene Prozess »Eingebettet« ist nicht bereitgestellt." in str(raised.value)
