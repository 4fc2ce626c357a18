"""The QA scenarios in processes/scenarios: each passes, and together they cover every diagram completely.

One scenario per file, written in the concept's words (see engine/simulation/scenario.py for the format);
they drive the same paths as test_paths.py through the same service functions, on the simulated clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.simulation.coverage import coverage
from engine.simulation.runner import ScenarioResult, Simulator
from engine.simulation.yamlfile import ScenarioError
from tests.conftest import SRO_PROCESSES

SCENARIOS = sorted((SRO_PROCESSES / "scenarios").glob("*.yaml"))
DIAGRAMS = {"Beratungszyklus", "Meldeversaeumnis", "Aufforderung", "Schlichtung"}


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    result = Simulator(SRO_PROCESSES)
    yield result
    result.close()


@pytest.fixture(scope="module")
def results() -> dict[Path, ScenarioResult]:
    """Each scenario runs once per module; the coverage test reuses what the scenario tests ran."""
    return {}


def run(simulator: Simulator, results: dict[Path, ScenarioResult], path: Path) -> ScenarioResult:
    if path not in results:
        results[path] = simulator.run(simulator.load(path))
    return results[path]


@pytest.mark.parametrize("path", SCENARIOS, ids=[path.stem for path in SCENARIOS])
def test_scenario_passes(simulator: Simulator, results: dict[Path, ScenarioResult], path: Path) -> None:
    result = run(simulator, results, path)
    assert result.ok, f"{result.scenario.name}\n" + "\n".join(result.failures)


def test_scenarios_cover_every_node_and_flow_of_every_diagram(simulator: Simulator,
                                                              results: dict[Path, ScenarioResult]) -> None:
    assert SCENARIOS, "keine Szenarien in processes/scenarios"
    ran = [run(simulator, results, path) for path in SCENARIOS]
    reached = set().union(*(result.reached for result in ran))
    sequences = [sequence for result in ran for sequence in result.sequences]
    diagrams = coverage(simulator.documents, reached, sequences)
    assert {item.process_id for item in diagrams} == DIAGRAMS
    gaps = {item.process_id: (sorted(item.nodes - item.covered_nodes), sorted(item.flows - item.covered_flows))
            for item in diagrams if item.percent < 100.0}
    assert not gaps, f"nicht abgedeckt (Knoten, Flüsse): {gaps}"
    assert all(item.node_percent == item.flow_percent == 100.0 for item in diagrams)


# ---------------------------------------------------------------- malformed scenarios: file, line, German sentence


def load_error(simulator: Simulator, tmp_path: Path, text: str) -> ScenarioError:
    path = tmp_path / "kaputt.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        simulator.load(path)
    assert caught.value.file == str(path)
    assert str(caught.value).startswith(f"{path}:{caught.value.line}: ")
    return caught.value


def test_unknown_task_names_the_line_and_known_tasks(simulator: Simulator, tmp_path: Path) -> None:
    error = load_error(simulator, tmp_path, """\
szenario: Unbekannte Aufgabe
schritte:
  - erwarte:
      wartet: [Erstgespräch in Präsenz führen]
  - erledige: Kaffee kochen
""")
    assert error.line == 5
    assert error.message.startswith("Die Aufgabe »Kaffee kochen« gibt es in keinem Diagramm. Bekannt sind z. B.: ")
    assert "Beratungsgespräch führen" in error.message


def test_bad_duration_names_the_line(simulator: Simulator, tmp_path: Path) -> None:
    error = load_error(simulator, tmp_path, """\
szenario: Falsche Dauer
beginn: 2025-03-03
schritte:
  - warte: P14D
  - warte: P3X
""")
    assert error.line == 5
    assert error.message.startswith("»warte« braucht eine Dauer wie P14D oder P6M: ")


def test_inputs_must_be_a_mapping(simulator: Simulator, tmp_path: Path) -> None:
    error = load_error(simulator, tmp_path, """\
szenario: Eingaben als Liste
schritte:
  - erledige: Erstgespräch in Präsenz führen
    mit: {gespraechsart: praesenz}
  - erledige: Kooperationsplan vereinbaren
    mit: [planZiel, planLaufzeit]
""")
    assert error.line == 5
    assert error.message == "»mit« enthält die Eingaben als Zuordnung Feld: Wert."


def test_yaml_syntax_error_names_the_line(simulator: Simulator, tmp_path: Path) -> None:
    error = load_error(simulator, tmp_path, """\
szenario: Kaputtes YAML
schritte:
  - erledige: Schritt prüfen
    mit: {schrittNr: 1, schrittErledigt: true
  - warte: P1D
""")
    assert error.line == 5
    assert error.message.startswith("Die Datei ist kein gültiges YAML: ")
