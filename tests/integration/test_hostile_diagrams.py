"""Hostile diagrams are refused at deployment with a German sentence; nothing is stored and nothing runs.

Fixtures under tests/fixtures/hostile/ that would touch the file system carry the placeholder @PWNED@;
each test copies them into its own tmp_path with a unique marker path there and checks that the marker
file was never created.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import select

from engine.bootstrap import bootstrap
from engine.domain.case import Case
from engine.runtime.clock import SimulatedClock
from engine.runtime.errors import DeploymentError, Finding, ProcessError
from engine.runtime.spiff import compile_process, new_workflow
from engine.runtime.store import Deployment, Event, OpenTask, ProcessInstance, ProcessVersion, Wait
from engine.runtime.xmlsafe import parse_xml
from engine.services import Services

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
GOOD = ROOT / "tests" / "fixtures" / "engine" / "beratungszyklus.bpmn"
START = datetime(2025, 1, 6, 8, tzinfo=UTC)
T = TypeVar("T")
LIMIT_SECONDS = 2.0  # a safety net against runaway parsing or evaluation, not a benchmark

UNDERSCORE = "Namen mit Unterstrich am Anfang sind nicht erlaubt"
DOCTYPE = (
    "Die Datei enthält eine DOCTYPE- oder ENTITY-Deklaration; das ist in BPMN/DMN nicht nötig und "
    "wird aus Sicherheitsgründen abgelehnt."
)
SCRIPT = (
    "Skript-Aufgaben werden aus Sicherheitsgründen nicht ausgeführt. "
    "Bitte eine Benutzeraufgabe oder Gateway-Bedingungen verwenden."
)


@pytest.fixture
def empty_services(tmp_path: Path) -> Iterator[Services]:
    """An empty engine: schema created, nothing deployed."""
    result = bootstrap("sqlite:///" + str(tmp_path / "db.sqlite3"), clock=SimulatedClock(START))
    yield result
    result.engine.database.dispose()


def armed(name: str, tmp_path: Path) -> tuple[Path, Path]:
    """Copy a hostile fixture into tmp_path, pointing its @PWNED@ placeholder at a fresh marker path."""
    marker = tmp_path / f"pwned-{uuid.uuid4().hex}"
    target = tmp_path / name
    target.write_text(
        (HOSTILE / name).read_text(encoding="utf-8").replace("@PWNED@", str(marker)), encoding="utf-8"
    )
    return target, marker


def rows(services: Services, model: type[T]) -> list[T]:
    with services.engine.database.session() as session:
        return list(session.scalars(select(model)))


def assert_nothing_stored(services: Services) -> None:
    assert services.processes() == []
    for model in (Deployment, ProcessVersion, Case, ProcessInstance, OpenTask, Wait, Event):
        assert rows(services, model) == [], model.__name__


def refuse(services: Services, *paths: Path) -> DeploymentError:
    started = time.perf_counter()
    with pytest.raises(DeploymentError) as info:
        services.deploy(list(paths))
    elapsed = time.perf_counter() - started
    assert elapsed < LIMIT_SECONDS, f"refusal took {elapsed:.2f} s"
    assert str(info.value).startswith("Das Diagramm wurde nicht übernommen:\n- ")
    return info.value


# --------------------------------------------------------------------------- refused at deployment

REFUSED = [
    ("condition_import.bpmn", "Flow_Ja", f"Bedingung: {UNDERSCORE}: '__import__'."),
    ("condition_subclasses.bpmn", "Flow_Ja", f"Bedingung: {UNDERSCORE}: '__class__'."),
    ("condition_dict.bpmn", "Flow_Ja", f"Bedingung: {UNDERSCORE}: '__dict__'."),
    # Timer findings name the event (here an intermediate catch event), not its timerEventDefinition.
    ("timer_import.bpmn", "Task_X", f"Zeitausdruck: {UNDERSCORE}: '__import__'."),
    ("multi_instance_import.bpmn", "Task_X", f"Anzahl der Mehrfachausführung: {UNDERSCORE}: '__import__'."),
    ("due_date_import.bpmn", "Task_X", f"camunda:dueDate: {UNDERSCORE}: '__import__'."),
    ("script_creates_file.bpmn", "Task_X", SCRIPT),
    ("billion_laughs.bpmn", None, DOCTYPE),
    ("external_entity.bpmn", None, DOCTYPE),
]


@pytest.mark.parametrize(("name", "element_id", "message"), REFUSED, ids=[case[0] for case in REFUSED])
def test_hostile_diagram_is_refused_and_nothing_is_stored_or_run(
    empty_services: Services, tmp_path: Path, name: str, element_id: str | None, message: str
) -> None:
    path, marker = armed(name, tmp_path)
    error = refuse(empty_services, path)
    [finding] = error.findings
    assert (finding.file, finding.element_id, finding.message) == (str(path), element_id, message)
    assert str(error) == f"Das Diagramm wurde nicht übernommen:\n- {finding}"
    assert not marker.exists()
    assert_nothing_stored(empty_services)


def test_import_condition_names_the_flow_line_and_leaves_no_file(
    empty_services: Services, tmp_path: Path
) -> None:
    path, marker = armed("condition_import.bpmn", tmp_path)
    text = path.read_text(encoding="utf-8")
    assert f"touch {marker}" in text
    [finding] = refuse(empty_services, path).findings
    expected_line = next(
        number for number, line in enumerate(text.splitlines(), start=1) if "__import__" in line
    )
    assert finding.line == expected_line
    assert not marker.exists()
    assert not Path("/tmp/pwned").exists()


def test_external_entity_content_is_never_read(empty_services: Services, tmp_path: Path) -> None:
    path, _ = armed("external_entity.bpmn", tmp_path)
    error = refuse(empty_services, path)
    assert "root:" not in str(error)
    assert "/etc/passwd" not in str(error)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("name", ["billion_laughs.bpmn", "external_entity.bpmn"])
def test_entity_attacks_in_wide_encodings_get_the_doctype_sentence(
    empty_services: Services, tmp_path: Path, name: str, encoding: str
) -> None:
    # xmlsafe drops NUL bytes before looking for "<!DOCTYPE"/"<!ENTITY", so UTF-16/32 text is caught
    # by the same check as UTF-8, before libxml2 sees the file.
    text = (
        (HOSTILE / name)
        .read_text(encoding="utf-8")
        .replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"')
    )
    path = tmp_path / f"{encoding}-{name}"
    path.write_bytes(text.encode(encoding))
    error = refuse(empty_services, path)
    assert error.findings == [Finding(str(path), None, DOCTYPE)]
    assert str(error) == f"Das Diagramm wurde nicht übernommen:\n- {path}: {DOCTYPE}"
    assert "root:" not in str(error)
    assert "lollol" not in str(error)
    assert_nothing_stored(empty_services)


def test_a_good_diagram_deployed_with_a_hostile_one_is_not_stored(
    empty_services: Services, tmp_path: Path
) -> None:
    path, marker = armed("condition_import.bpmn", tmp_path)
    error = refuse(empty_services, GOOD, path)
    assert [(finding.file, finding.element_id) for finding in error.findings] == [(str(path), "Flow_Ja")]
    assert not marker.exists()
    assert_nothing_stored(empty_services)


def test_refusal_keeps_what_was_deployed_before(empty_services: Services, tmp_path: Path) -> None:
    assert empty_services.deploy([GOOD]) == [("Beratungszyklus", 1)]
    path, marker = armed("script_creates_file.bpmn", tmp_path)
    refuse(empty_services, path)
    versions = [(version.process_id, version.version) for version in empty_services.processes()]
    assert versions == [("Beratungszyklus", 1)]
    assert [deployment.file_name for deployment in rows(empty_services, Deployment)] == [
        "beratungszyklus.bpmn"
    ]
    assert not marker.exists()


# --------------------------------------------------------------------------- ${9**9**9}


def test_huge_power_is_refused_at_deployment(empty_services: Services, tmp_path: Path) -> None:
    """`${9**9**9}` is made only of literals, so lint evaluates it (refused before computing) and the
    diagram never deploys; it used to pass lint and fail only when a case reached the gateway."""
    path, _ = armed("condition_power.bpmn", tmp_path)
    error = refuse(empty_services, path)
    assert [(finding.element_id, finding.message) for finding in error.findings] == [
        ("Flow_Potenz", "Bedingung: Die Hochzahl bei '**' muss eine ganze Zahl von 0 bis 64 sein.")]
    assert_nothing_stored(empty_services)


def test_huge_power_fails_fast_at_run_time_if_it_got_past_lint(tmp_path: Path) -> None:
    path, _ = armed("condition_power.bpmn", tmp_path)
    error = run_directly(path, "Potenz", tmp_path)
    assert error.element_id == "Gateway_Potenz"
    assert str(error) == (
        "Im Prozessschritt »Gateway_Potenz«: Ausdruck »${9**9**9}«: "
        "Die Hochzahl bei '**' muss eine ganze Zahl von 0 bis 64 sein."
    )


# --------------------------------------------------------------------------- defence in depth at run time


def run_directly(path: Path, process_id: str, tmp_path: Path) -> ProcessError:
    """Run a diagram without deployment (as if lint had missed it) and return the engine's refusal."""
    engine = bootstrap("sqlite:///" + str(tmp_path / "direct.sqlite3"), clock=SimulatedClock(START),
                       migrate=False).engine
    try:
        compiled = compile_process({str(path): parse_xml(path.read_bytes(), str(path))}, process_id)
        workflow = new_workflow(compiled, engine.script_engine)
        started = time.perf_counter()
        with pytest.raises(ProcessError) as info:
            engine.run_engine(workflow)
        assert time.perf_counter() - started < LIMIT_SECONDS
        return info.value
    finally:
        engine.database.dispose()


def test_script_task_is_not_executed_even_if_it_got_past_lint(tmp_path: Path) -> None:
    path, marker = armed("script_creates_file.bpmn", tmp_path)
    assert f'open("{marker}", "w")' in path.read_text(encoding="utf-8")
    error = run_directly(path, "SkriptDatei", tmp_path)
    assert error.element_id == "Task_X"
    assert "Skripte werden aus Sicherheitsgründen nicht ausgeführt" in str(error)
    assert not marker.exists()


def test_import_in_loop_cardinality_is_not_executed_at_run_time(tmp_path: Path) -> None:
    path, marker = armed("multi_instance_import.bpmn", tmp_path)
    error = run_directly(path, "ImportMehrfach", tmp_path)
    assert error.element_id == "Task_X"
    assert f"{UNDERSCORE}: '__import__'" in str(error)
    assert not marker.exists()


def test_import_in_loop_cardinality_is_refused_at_deployment(
    empty_services: Services, tmp_path: Path
) -> None:
    path, marker = armed("multi_instance_import.bpmn", tmp_path)
    text = path.read_text(encoding="utf-8")
    assert f"touch {marker}" in text
    expected_line = next(
        number for number, line in enumerate(text.splitlines(), start=1) if "<bpmn:loopCardinality" in line
    )
    error = refuse(empty_services, path)
    assert error.findings == [
        Finding(
            str(path),
            "Task_X",
            f"Anzahl der Mehrfachausführung: {UNDERSCORE}: '__import__'.",
            line=expected_line,
        )
    ]
    assert not marker.exists()
    assert_nothing_stored(empty_services)


def test_findings_are_plain_values() -> None:
    # DeploymentError keeps the findings it was given, in order, as comparable values.
    findings = [Finding("a.bpmn", "X", "Satz eins.", 3), Finding("b.bpmn", None, "Satz zwei.")]
    error = DeploymentError(findings)
    assert error.findings == findings
    assert (
        str(error) == "Das Diagramm wurde nicht übernommen:\n- a.bpmn:3 [X]: Satz eins.\n- b.bpmn: Satz zwei."
    )
