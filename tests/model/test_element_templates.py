"""Element templates for Camunda Modeler: valid against Camunda's own schema and in step with the engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from engine.domain.actions import ACTIONS
from engine.runtime.lint import load_files
from tests.conftest import ROOT, SRO_PROCESSES

TEMPLATES = SRO_PROCESSES / ".camunda" / "element-templates" / "sro.json"
SCHEMA = ROOT / "tools" / "modeler-check" / "node_modules" / "@camunda" / "element-templates-json-schema" / \
    "resources" / "schema.json"


@pytest.fixture(scope="module")
def schema() -> Any:
    if not SCHEMA.exists():
        pytest.fail("Das Schema fehlt: bitte `make test` ausführen (installiert tools/modeler-check).")
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def templates() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads(TEMPLATES.read_text(encoding="utf-8"))
    return loaded


def test_templates_are_valid_camunda_7_element_templates(schema: Any) -> None:
    jsonschema.validate(templates(), schema)
    assert {template["name"] for template in templates()} >= {
        "Beratungsgespräch", "Schritt prüfen", "Aufforderung mit Rechtsfolgenbelehrung", "Anhörung (§ 24 SGB X)"}


def test_the_schema_check_can_fail(schema: Any) -> None:
    broken = templates()
    del broken[0]["properties"][0]["binding"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def binding_choices(template_id: str, binding_name: str) -> set[str]:
    [template] = [template for template in templates() if template["id"] == template_id]
    [field] = [field for field in template["properties"] if field["binding"].get("name") == binding_name]
    return {choice["value"] for choice in field["choices"]}


def test_action_dropdown_lists_exactly_the_domain_actions() -> None:
    assert binding_choices("de.jobcenter.sro.FachlicheAktion", "camunda:topic") == set(ACTIONS)


def test_decision_dropdown_lists_exactly_the_shipped_decisions() -> None:
    documents, findings = load_files([SRO_PROCESSES / "entscheidungen"])
    assert findings == []
    shipped = {decision for document in documents.values() for decision in document.decisions}
    assert binding_choices("de.jobcenter.sro.Entscheidung", "camunda:decisionRef") == shipped


def test_templates_match_how_the_shipped_diagrams_use_them() -> None:
    """The templates carry the same settings as the tasks of the same kind in the shipped diagrams."""
    documents, _ = load_files([SRO_PROCESSES])
    tasks = {task.id: task for document in documents.values() for process in document.processes.values()
             for task in process.user_tasks.values()}
    expected = {"de.jobcenter.sro.Beratungsgespraech": "Task_Beratungsgespraech",
                "de.jobcenter.sro.SchrittPruefen": "Task_SchrittPruefen"}
    for template_id, task_id in expected.items():
        [template] = [template for template in templates() if template["id"] == template_id]
        values = {field["binding"]["name"]: field.get("value") for field in template["properties"]
                  if field["binding"]["type"] == "property"}
        task = tasks[task_id]
        assert values["camunda:candidateGroups"] == task.candidate_groups
        assert values["camunda:dueDate"] == task.due_date
        assert values["camunda:priority"] == task.priority
        assert values.get("camunda:followUpDate") == task.follow_up_date


def test_templates_folder_is_not_deployed() -> None:
    documents, _ = load_files([SRO_PROCESSES])
    assert not any(".camunda" in Path(name).parts for name in documents)
