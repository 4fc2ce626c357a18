"""A deliberately broken copy of a diagram makes a named scenario fail with a readable path difference."""

from __future__ import annotations

import shutil
from pathlib import Path

from engine.simulation.runner import Simulator
from tests.conftest import SRO_PROCESSES


def test_rewired_gateway_flow_fails_the_start_phase_scenario_with_a_path_diff(tmp_path: Path) -> None:
    broken = tmp_path / "processes"
    shutil.copytree(SRO_PROCESSES, broken, ignore=shutil.ignore_patterns("scenarios", ".camunda"))
    diagram = broken / "beratungszyklus.bpmn"
    text = diagram.read_text(encoding="utf-8")
    original = ('<bpmn:sequenceFlow id="Flow_SchrittJa" name="ja" sourceRef="Gateway_SchrittErledigt" '
                'targetRef="Gateway_AlleSchritteMerge">')
    assert original in text
    # "Schritt umgesetzt? ja" now leads to the reasons talk, as if the step had not been done
    diagram.write_text(text.replace(original, original.replace('targetRef="Gateway_AlleSchritteMerge"',
                                                               'targetRef="Task_GruendeBesprechen"')),
                       encoding="utf-8")

    scenario_file = SRO_PROCESSES / "scenarios" / "anfangsphase.yaml"
    healthy = Simulator(SRO_PROCESSES)
    try:
        assert healthy.run(healthy.load(scenario_file)).ok
    finally:
        healthy.close()
    simulator = Simulator(broken)
    try:
        result = simulator.run(simulator.load(scenario_file))
    finally:
        simulator.close()
    assert not result.ok
    report = "\n".join(result.failures)
    assert "anfangsphase.yaml:" in report  # names the file and the line of the failing step
    assert "Erwartet wurde die offene Aufgabe »Schritt prüfen«" in report or "Pfad weicht ab" in report
    assert "Gründe besprechen" in report  # shows where the case actually went
    assert "zuletzt durchlaufen:" in report and "Schritt umgesetzt?" in report
