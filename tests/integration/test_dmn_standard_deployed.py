"""DMN 1.4/1.5 files are deployed and run as the standard defines them (Camunda 7 cannot read them at all);
DMN 1.1-1.3 files keep Camunda 7's reader. Results reach the process as Camunda 7 maps them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from engine.runtime.clock import SimulatedClock
from engine.runtime.errors import DeploymentError
from engine.runtime.lint import lint_paths
from tests.conftest import make_sqlite

DMN15 = "https://www.omg.org/spec/DMN/20230324/MODEL/"

DECISIONS = f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="{DMN15}" id="zuschlag" name="Zuschlag" namespace="http://example.org/zuschlag">
  <decision id="Decision_Stufe" name="Stufe">
    <variable name="Stufe"/>
    <decisionTable hitPolicy="UNIQUE">
      <input id="i1" label="Alter"><inputExpression typeRef="number"><text>Alter</text></inputExpression></input>
      <output id="o1" name="stufe" typeRef="string"/>
      <output id="o2" name="faktor" typeRef="number"/>
      <rule id="r1"><inputEntry><text>&lt; 25</text></inputEntry>
        <outputEntry><text>"jung"</text></outputEntry><outputEntry><text>1.5</text></outputEntry></rule>
      <rule id="r2"><inputEntry><text>&gt;= 25</text></inputEntry>
        <outputEntry><text>"erwachsen"</text></outputEntry><outputEntry><text>2</text></outputEntry></rule>
    </decisionTable>
  </decision>
  <decision id="Decision_Betrag" name="Betrag">
    <variable name="Betrag" typeRef="number"/>
    <informationRequirement><requiredDecision href="#Decision_Stufe"/></informationRequirement>
    <literalExpression><text>decimal(Regelsatz * Stufe.faktor / 10, 2)</text></literalExpression>
  </decision>
  <decision id="Decision_Gruss" name="Gruss">
    <variable name="Gruss" typeRef="string"/>
    <literalExpression><text>string join(for n in Namen return "Hallo " + n, ", ")</text></literalExpression>
  </decision>
  <inputData id="in_alter" name="Alter"><variable name="Alter" typeRef="number"/></inputData>
  <inputData id="in_regelsatz" name="Regelsatz"><variable name="Regelsatz" typeRef="number"/></inputData>
  <inputData id="in_namen" name="Namen"><variable name="Namen"/></inputData>
</definitions>
"""

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="Zuschlag" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="Rule_Stufe" camunda:decisionRef="Decision_Stufe" camunda:resultVariable="stufe"
        camunda:mapDecisionResult="singleResult"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:businessRuleTask id="Rule_Betrag" camunda:decisionRef="Decision_Betrag" camunda:resultVariable="betrag"
        camunda:mapDecisionResult="singleEntry"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:businessRuleTask id="Rule_Gruss" camunda:decisionRef="Decision_Gruss" camunda:resultVariable="gruss"
        camunda:mapDecisionResult="singleEntry"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:userTask id="Task_Ansehen" name="Ansehen" camunda:candidateGroups="ifk">
      <bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="Ende"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="StartEvent_1" targetRef="Rule_Stufe" />
    <bpmn:sequenceFlow id="f2" sourceRef="Rule_Stufe" targetRef="Rule_Betrag" />
    <bpmn:sequenceFlow id="f3" sourceRef="Rule_Betrag" targetRef="Rule_Gruss" />
    <bpmn:sequenceFlow id="f4" sourceRef="Rule_Gruss" targetRef="Task_Ansehen" />
    <bpmn:sequenceFlow id="f5" sourceRef="Task_Ansehen" targetRef="Ende" />
  </bpmn:process>
</bpmn:definitions>
"""


def folder(tmp_path: Path, decisions: str = DECISIONS) -> Path:
    processes = tmp_path / "processes"
    processes.mkdir()
    (processes / "zuschlag.bpmn").write_text(PROCESS, encoding="utf-8")
    (processes / "zuschlag.dmn").write_text(decisions, encoding="utf-8")
    return processes


def test_a_dmn_15_model_runs_in_a_process_with_camundas_result_mapping(tmp_path: Path) -> None:
    clock = SimulatedClock(datetime(2026, 3, 2, 8, tzinfo=UTC))
    services = make_sqlite(tmp_path / "db.sqlite3", clock, folder(tmp_path))
    outcome = services.start_case("K-1", "nord", process_id="Zuschlag", actor="test",
                                  data={"Alter": 23, "Regelsatz": 563, "Namen": ["Ada", "Bo"]})
    assert outcome.open_tasks == ["Task_Ansehen"]
    data = services.current_data(outcome.case_id)
    assert data["stufe"] == {"stufe": "jung", "faktor": 1.5}  # singleResult: the row, numbers as float/int
    assert data["betrag"] == 84.45 and isinstance(data["betrag"], float)  # 563 * 1.5 / 10
    assert data["gruss"] == "Hallo Ada, Hallo Bo"


def test_lint_names_the_element_of_a_broken_standard_model(tmp_path: Path) -> None:
    broken = DECISIONS.replace('decimal(Regelsatz * Stufe.faktor / 10, 2)', 'decimal(Regelsatz * * 2)')
    findings = lint_paths([folder(tmp_path, broken)])
    assert [finding.element_id for finding in findings] == ["Betrag"]
    assert "Betrag" in findings[0].message
    clock = SimulatedClock(datetime(2026, 3, 2, 8, tzinfo=UTC))
    with pytest.raises(DeploymentError):
        make_sqlite(tmp_path / "db.sqlite3", clock, tmp_path / "processes")


def test_a_today_in_a_standard_decision_reads_the_engine_clock(tmp_path: Path) -> None:
    decisions = DECISIONS.replace('string join(for n in Namen return "Hallo " + n, ", ")', 'string(today())')
    clock = SimulatedClock(datetime(2026, 3, 2, 8, tzinfo=UTC))
    services = make_sqlite(tmp_path / "db.sqlite3", clock, folder(tmp_path, decisions))
    outcome = services.start_case("K-2", "nord", process_id="Zuschlag", actor="test",
                                  data={"Alter": 30, "Regelsatz": 563, "Namen": []})
    assert services.current_data(outcome.case_id)["gruss"] == date(2026, 3, 2).isoformat()
