"""`sro simulate --explore`: bounded path search over the SRO diagrams and the draft scenarios it writes."""

from __future__ import annotations

import functools
import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from engine.runtime.errors import EngineError
from engine.runtime.lint import load_files
from engine.runtime.model import ProcessDef
from engine.simulation.coverage import coverage, nodes_of
from engine.simulation.explore import Atom, ExploreError, Explorer, covered_by, explore, parse_condition
from engine.simulation.runner import Simulator, names
from engine.simulation.scenario import load
from tests.conftest import SRO_PROCESSES

REACHES = re.compile(r"^#   - (?:Knoten|Fluss) (\w+)", re.MULTILINE)
DIAGRAMS = ("Schlichtung", "Meldeversaeumnis", "Aufforderung", "Beratungszyklus")


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    simulator = Simulator(SRO_PROCESSES)
    yield simulator
    simulator.close()


@functools.cache
def process(process_id: str) -> ProcessDef:
    documents, _ = load_files([SRO_PROCESSES])
    return next(document.processes[process_id] for document in documents.values()
                if process_id in document.processes)


def step_count(path: Path) -> int:
    return len(yaml.safe_load(path.read_text(encoding="utf-8"))["schritte"])


@pytest.mark.parametrize("diagram", ["Schlichtung", "Meldeversaeumnis"])
def test_without_scenarios_the_drafts_together_reach_every_node_and_flow(diagram: str, tmp_path: Path) -> None:
    files = explore(SRO_PROCESSES, diagram, set(), set(), tmp_path)
    assert files and all(file.parent == tmp_path and file.name.startswith("entwurf_") for file in files)
    model = process(diagram)
    claimed = {element for file in files for element in REACHES.findall(file.read_text(encoding="utf-8"))}
    assert claimed == nodes_of(model) | set(model.flows)
    plan = Explorer(load_files([SRO_PROCESSES])[0]).plan(diagram, set(), set())
    walked = {item for draft in plan.drafts for item in draft.route.items(plan.graph)}
    assert walked >= nodes_of(model) | set(model.flows) and not plan.unreachable
    # the path really passes through the flows it claims: every flow joins consecutive nodes
    for draft in plan.drafts:
        for edge in draft.route.edges:
            if edge.flow:
                flow = model.flows[edge.flow]
                assert (flow.source, flow.target) == (edge.source, edge.target)


@pytest.mark.parametrize("diagram", DIAGRAMS)
def test_drafts_are_marked_as_drafts_and_load_as_scenarios(diagram: str, tmp_path: Path) -> None:
    documents, _ = load_files([SRO_PROCESSES])
    task_names, element_names = names(documents)
    files = explore(SRO_PROCESSES, diagram, set(), set(), tmp_path)
    assert files
    for file in files:
        text = file.read_text(encoding="utf-8")
        assert text.startswith("# ENTWURF")
        assert "noch nicht abdecken" in text.splitlines()[2]
        scenario = load(file, task_names, element_names)  # raises ScenarioError if not loadable
        assert scenario.process == process(diagram).id
        assert scenario.steps[-1].kind == "erwarte" and scenario.steps[-1].expect["durchlaufen"]
        for step in scenario.steps:
            if step.kind == "erledige":
                assert set(step.data) <= {item.id for task_id in step.candidates
                                          for owner in DIAGRAMS if task_id in process(owner).user_tasks
                                          for item in process(owner).user_tasks[task_id].fields} | {"schritte"}
        for line in text.splitlines():
            if "…" in line and not line.startswith("#"):
                assert line.endswith("# bitte ausfüllen"), line


def test_schlichtung_drafts_run_unchanged_and_cover_the_diagram(simulator: Simulator, tmp_path: Path) -> None:
    files = explore(SRO_PROCESSES, "schlichtung.bpmn", set(), set(), tmp_path)
    simplest = min(files, key=step_count)
    result = simulator.run(simulator.load(simplest))
    assert result.ok, result.failures
    results = [result] + [simulator.run(simulator.load(file)) for file in files if file != simplest]
    assert all(item.ok for item in results), [item.failures for item in results]
    reached = set().union(*(item.reached for item in results))
    sequences = [sequence for item in results for sequence in item.sequences]
    [schlichtung] = [item for item in coverage(simulator.documents, reached, sequences)
                     if item.process_id == "Schlichtung"]
    assert schlichtung.percent == 100.0
    texts = {file.name: file.read_text(encoding="utf-8") for file in files}
    message = next(text for text in texts.values() if "nachricht: SchlichtungBeendet" in text)
    timer = next(text for text in texts.values() if "warte: P28D" in text)
    assert "Schlichtung beendet" in message and "Vier Wochen abgelaufen" in timer


def test_loops_are_bounded_and_few_drafts_suffice(tmp_path: Path) -> None:
    began = time.monotonic()
    files = explore(SRO_PROCESSES, "Beratungszyklus", set(), set(), tmp_path)
    assert time.monotonic() - began < 5
    model = process("Beratungszyklus")
    assert 1 <= len(files) <= 15 < len(nodes_of(model)) + len(model.flows)
    explorer = Explorer(load_files([SRO_PROCESSES])[0])
    graph = explorer.graph("Beratungszyklus")
    counts = []
    for max_loops in (1, 2, 3):
        routes = explorer.routes(graph, max_loops)
        counts.append(len(routes))
        for route in routes:
            assert max(Counter(edge.key for edge in route.edges).values()) <= max_loops
            assert graph.tag(route.nodes[-1]) == "endEvent"
    assert counts[0] < counts[1] < counts[2] < 10_000
    # a loop is walked again: the step check comes back to »Schritt prüfen« on some path with two loops
    assert any(route.nodes.count("Task_SchrittPruefen") == 2 for route in explorer.routes(graph, 2))


def test_the_shipped_scenarios_leave_nothing_uncovered(simulator: Simulator, tmp_path: Path) -> None:
    files = sorted((SRO_PROCESSES / "scenarios").glob("*.yaml"))
    results = [simulator.run(simulator.load(file)) for file in files]
    assert all(result.ok for result in results)
    reached = set().union(*(result.reached for result in results))
    nodes, flows = covered_by(simulator.documents, reached, [seq for result in results for seq in result.sequences])
    out = tmp_path / "entwuerfe"
    for diagram in DIAGRAMS:
        assert explore(SRO_PROCESSES, diagram, nodes, flows, out) == []
    assert not out.exists()


def test_values_steer_the_path_to_what_is_left(tmp_path: Path) -> None:
    model = process("Beratungszyklus")
    flows = set(model.flows) - {"Flow_SchlichtungNein"}
    [file] = explore(SRO_PROCESSES, "Beratungszyklus", nodes_of(model), flows, tmp_path)
    text = file.read_text(encoding="utf-8")
    assert REACHES.findall(text) == ["Flow_SchlichtungNein"]
    steps = yaml.safe_load(text)["schritte"]
    session = next(step for step in steps if step.get("erledige") == "Erstgespräch in Präsenz führen")
    assert session["mit"]["ergebnis"] == "kein_plan"
    assert session["mit"]["naechsterKontaktAm"] == "heute+14"
    assert session["mit"]["gespraechsart"] == "praesenz"  # no test on the path: the first option
    offer = next(step for step in steps if step.get("erledige") == "Schlichtungsverfahren anbieten (§ 15a SGB II)")
    assert offer["mit"] == {"schlichtungGewuenscht": False}
    assert yaml.safe_load(text)["fall"] == {"anfangsphase": True}
    assert "${rechtskreis == 'buergergeld'}" in text  # a precondition the draft cannot set itself
    assert "ausgangssituation: …  # bitte ausfüllen" in text
    assert "Schlichtung gewünscht?" in steps[-1]["erwarte"]["durchlaufen"]


def test_timers_messages_boundaries_and_subprocess_become_steps(tmp_path: Path) -> None:
    model = process("Beratungszyklus")
    left = {"Event_Ueberpruefung", "Flow_UeberpruefungFaellig"}
    [file] = explore(SRO_PROCESSES, "Beratungszyklus", nodes_of(model) - left, set(model.flows) - left, tmp_path)
    text = file.read_text(encoding="utf-8")
    steps = yaml.safe_load(text)["schritte"]
    waits = [step["warte"] for step in steps if "warte" in step]
    assert waits[-1] == "P6M" and "aus »planLaufzeit«" in text  # ${planLaufzeit}: the value the draft chose
    passed = steps[-1]["erwarte"]["durchlaufen"]
    assert "Überprüfung spätestens nach Laufzeit" in passed
    assert "Kooperationsplan umsetzen" not in passed  # an interrupted subprocess is not passed
    plan_form = next(step for step in steps if step.get("erledige") == "Kooperationsplan vereinbaren")
    assert plan_form["mit"]["schritte"] and plan_form["mit"]["planLaufzeit"] == "P6M"

    left = {"StartEvent_Meldeversaeumnis", "Flow_MeldeversaeumnisStart"}
    [file] = explore(SRO_PROCESSES, "Beratungszyklus", nodes_of(model) - left, set(model.flows) - left,
                     tmp_path / "b")
    steps = yaml.safe_load(file.read_text(encoding="utf-8"))["schritte"]
    assert steps[0] == {"nachricht": "Meldeversaeumnis"}
    assert steps[1]["erledige"] == "Meldeversäumnis prüfen"  # the called process's steps are filled in
    # the event subprocess is its own path: the message, the called process, its end (the session stays open)
    passed = steps[-1]["erwarte"]["durchlaufen"]
    assert passed.index("StartEvent_Meldeversaeumnis") < passed.index("Meldeversäumnis bearbeiten") \
        < passed.index("Meldeversäumnis bearbeitet")


SYNTHETIC = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="Probe" name="Probe" isExecutable="true">
    <bpmn:startEvent id="Start" name="Los" />
    <bpmn:userTask id="Task_A" name="Antrag prüfen">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="entscheidung" label="Entscheidung" type="enum">
          <camunda:value id="annehmen" name="Annehmen" /><camunda:value id="ablehnen" name="Ablehnen" />
        </camunda:formField>
        <camunda:formField id="ok" label="OK" type="boolean" />
        <camunda:formField id="anzahl" label="Anzahl" type="long" />
      </camunda:formData></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="Gateway_G" name="Wie weiter?" />
    <bpmn:intermediateCatchEvent id="Event_T" name="Zwei Tage später">
      <bpmn:timerEventDefinition><bpmn:timeDuration>P2D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="Event_S" name="Signal kommt">
      <bpmn:signalEventDefinition />
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="End_1" name="Abgelehnt" />
    <bpmn:endEvent id="End_2" name="Angenommen" />
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Task_A" />
    <bpmn:sequenceFlow id="F2" sourceRef="Task_A" targetRef="Gateway_G" />
    <bpmn:sequenceFlow id="F_Ab" name="ablehnen" sourceRef="Gateway_G" targetRef="Event_T">
      <bpmn:conditionExpression>${entscheidung == 'ablehnen' &amp;&amp; ok != false &amp;&amp; anzahl &gt; 3}
      </bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="F_An" name="annehmen" sourceRef="Gateway_G" targetRef="Event_S">
      <bpmn:conditionExpression>${entscheidung != 'ablehnen'}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="F3" sourceRef="Event_T" targetRef="End_1" />
    <bpmn:sequenceFlow id="F4" sourceRef="Event_S" targetRef="End_2" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_wartet_after_the_last_user_task_and_a_stop_at_a_wait_no_step_can_move(tmp_path: Path) -> None:
    folder = tmp_path / "prozesse"
    folder.mkdir()
    (folder / "probe.bpmn").write_text(SYNTHETIC, encoding="utf-8")
    files = explore(folder, "probe", set(), set(), tmp_path / "out")
    assert len(files) == 2
    documents, _ = load_files([folder])
    task_names, element_names = names(documents)
    drafts = {file.name: yaml.safe_load(file.read_text(encoding="utf-8")) for file in files}
    for file in files:
        load(file, task_names, element_names)
    [rejected] = [draft for draft in drafts.values() if any("warte" in step for step in draft["schritte"])]
    assert rejected["schritte"] == [
        {"erledige": "Antrag prüfen", "mit": {"entscheidung": "ablehnen", "ok": True, "anzahl": 4}},
        {"erwarte": {"wartet": ["Zwei Tage später"]}},
        {"warte": "P2D"},
        {"erwarte": {"durchlaufen": ["Los", "Antrag prüfen", "Wie weiter?", "Zwei Tage später", "Abgelehnt"]}},
    ]
    [accepted] = [draft for draft in drafts.values() if draft is not rejected]
    assert accepted["schritte"][0]["mit"]["entscheidung"] == "annehmen"
    assert accepted["schritte"][-1] == {"erwarte": {"durchlaufen": ["Los", "Antrag prüfen", "Wie weiter?"],
                                                    "wartet": ["Signal kommt"]}}


def test_conditions_diagram_names_and_bounds() -> None:
    assert parse_condition("${ergebnis == 'kein_plan'}") == [[Atom("ergebnis", "==", "kein_plan")]]
    assert parse_condition("${schrittErledigt == true}") == [[Atom("schrittErledigt", "==", True)]]
    assert parse_condition("${x != false}") == [[Atom("x", "!=", False)]]
    assert parse_condition("${a == 'x' || a == 'y'}") == [[Atom("a", "==", "x")], [Atom("a", "==", "y")]]
    assert parse_condition("${!gewuenscht && n ge 2}") == [[Atom("gewuenscht", "==", False), Atom("n", ">=", 2)]]
    assert parse_condition("${offeneSchritte(schritte) == 0}") == [[None]]
    assert parse_condition("${minderung.folge != 'keine'}") == [[None]]
    explorer = Explorer(load_files([SRO_PROCESSES])[0])
    assert explorer.find("schlichtung.bpmn").id == explorer.find("SCHLICHTUNG").id == "Schlichtung"
    with pytest.raises(ExploreError, match="gibt es nicht"):
        explorer.find("Unbekannt")
    with pytest.raises(EngineError, match="mindestens 1"):
        explorer.routes(explorer.graph("Schlichtung"), 0)


def test_when_the_search_hits_its_limit_shortest_paths_cover_the_rest() -> None:
    explorer = Explorer(load_files([SRO_PROCESSES])[0])
    plan = explorer.plan("Beratungszyklus", set(), set(), max_paths=3)
    model = process("Beratungszyklus")
    assert plan.paths == 3 and not plan.unreachable
    assert {item for draft in plan.drafts for item in draft.reaches} == nodes_of(model) | set(model.flows)
    for draft in plan.drafts:
        assert explorer.graph("Beratungszyklus").tag(draft.route.nodes[-1]) == "endEvent"
