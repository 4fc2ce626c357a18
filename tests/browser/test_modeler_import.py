"""Every diagram and decision table opens in bpmn-js / dmn-js with the Camunda 7 moddle, without import warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import ModelerPage
from tests.browser.diagrams import FIXTURES, diagram_id, diagrams


@pytest.mark.parametrize("path", diagrams(".bpmn", ".dmn"), ids=diagram_id)
def test_diagram_imports_without_warnings(modeler_page: ModelerPage, path: Path) -> None:
    problems = modeler_page.import_file(path)
    assert not problems, f"{diagram_id(path)}: Import im Modeler meldet\n  " + "\n  ".join(problems)


def test_fixture_dmn_imports_without_warnings(modeler_page: ModelerPage) -> None:
    """Positive control for the dmn-js path: a Camunda Modeler 5 DMN 1.3 table with dmndi."""
    assert modeler_page.import_file(FIXTURES / "valid_table.dmn") == []


def test_fixture_bpmn_imports_without_warnings(modeler_page: ModelerPage) -> None:
    assert modeler_page.import_file(FIXTURES / "valid_process.bpmn") == []


def test_missing_flow_target_is_reported(modeler_page: ModelerPage) -> None:
    problems = modeler_page.import_file(FIXTURES / "import_unresolved_reference.bpmn")
    assert any("unresolved reference <Task_Fehlt>" in problem for problem in problems), problems


def test_unknown_camunda_attribute_is_reported(modeler_page: ModelerPage) -> None:
    problems = modeler_page.import_file(FIXTURES / "import_unknown_camunda_attribute.bpmn")
    assert any("camunda:assignee2" in problem for problem in problems), problems


def test_broken_dmn_is_reported(modeler_page: ModelerPage) -> None:
    problems = modeler_page.import_file(FIXTURES / "import_broken_table.dmn")
    assert any("camunda:historyTimeToLive2" in problem for problem in problems), problems
    assert any("unresolved reference <InputData_Fehlt>" in problem for problem in problems), problems


def test_unparsable_xml_is_reported(modeler_page: ModelerPage) -> None:
    problems = modeler_page.import_xml("bpmn", "<bpmn:definitions")
    assert problems and problems[0].startswith("Fehler: unparsable content"), problems


@pytest.mark.parametrize("path", diagrams(".bpmn", ".dmn"), ids=diagram_id)
def test_diagram_is_stored_exactly_as_the_modeler_saves_it(modeler_page: ModelerPage, path: Path) -> None:
    """Opening and saving in the Modeler changes nothing: no noise in reviews, no lost attribute."""
    saved = modeler_page.saved_after_opening(path)
    assert saved is not None
    source = path.read_text(encoding="utf-8")
    assert saved.rstrip("\n") == source.rstrip("\n"), f"{diagram_id(path)} würde beim Speichern verändert"


def test_saving_check_can_fail(modeler_page: ModelerPage, tmp_path: Path) -> None:
    source = (FIXTURES / "valid_process.bpmn").read_text(encoding="utf-8")
    reordered = tmp_path / "umsortiert.bpmn"
    reordered.write_text(source.replace("<bpmn:process ", "<bpmn:process  "), encoding="utf-8")
    saved = modeler_page.saved_after_opening(reordered)
    assert saved is not None and saved.rstrip("\n") != reordered.read_text(encoding="utf-8").rstrip("\n")
