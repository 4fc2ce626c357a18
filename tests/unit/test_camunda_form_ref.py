"""Camunda Forms references (camunda:formRef, Camunda 7.18+) on user tasks and start events.

The reference is carried with the element as camunda:formKey is (the task or start form names it);
what Camunda 7 refuses at deployment (BpmnParse) is refused here, naming the element.
"""

from __future__ import annotations

from pathlib import Path

from engine.runtime.lint import lint_paths, load_files
from engine.runtime.model import FormRef

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="probe">\n')


def write(tmp_path: Path, start: str, task: str) -> Path:
    path = tmp_path / "formref.bpmn20.xml"
    path.write_text(f"""{HEAD}<process id="probe" isExecutable="true">
      <startEvent id="start" {start} />
      <sequenceFlow id="f1" sourceRef="start" targetRef="review" />
      <userTask id="review" {task} />
      <sequenceFlow id="f2" sourceRef="review" targetRef="end" />
      <endEvent id="end" />
    </process>\n</definitions>\n""", encoding="utf-8")
    return path


def test_a_form_reference_is_carried_on_the_user_task_and_the_start_event(tmp_path: Path) -> None:
    path = write(tmp_path, 'camunda:formRef="antrag" camunda:formRefBinding="latest"',
                 'camunda:formRef="pruefung" camunda:formRefBinding="version" camunda:formRefVersion="2"')
    assert lint_paths([path]) == []
    documents, _ = load_files([path])
    process = documents[str(path)].processes["probe"]
    assert process.user_tasks["review"].form_ref == FormRef("pruefung", "version", "2")
    assert process.user_tasks["review"].form_key is None
    assert process.start_forms["start"].form_ref == FormRef("antrag", "latest", None)


def test_a_deployment_binding_is_carried(tmp_path: Path) -> None:
    path = write(tmp_path, "", 'camunda:formRef="pruefung" camunda:formRefBinding="deployment"')
    assert lint_paths([path]) == []
    documents, _ = load_files([path])
    assert documents[str(path)].processes["probe"].user_tasks["review"].form_ref == FormRef("pruefung", "deployment")


def test_the_start_event_form_key_is_carried_too(tmp_path: Path) -> None:
    path = write(tmp_path, 'camunda:formKey="embedded:app:antrag.html"', "")
    documents, _ = load_files([path])
    start = documents[str(path)].processes["probe"].start_forms["start"]
    assert start.form_key == "embedded:app:antrag.html" and start.form_ref is None


def _findings(path: Path) -> list[tuple[str | None, str]]:
    return [(finding.element_id, finding.message) for finding in lint_paths([path])]


def test_an_unknown_binding_is_refused_naming_the_element(tmp_path: Path) -> None:
    path = write(tmp_path, 'camunda:formRef="antrag" camunda:formRefBinding="unsupported"', "")
    assert _findings(path) == [("start", "camunda:formRefBinding »unsupported« gibt es nicht; erlaubt sind "
                                         "deployment, latest und version.")]


def test_a_missing_binding_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "", 'camunda:formRef="pruefung"')
    assert _findings(path) == [("review", "camunda:formRef braucht camunda:formRefBinding (deployment, latest "
                                          "oder version).")]


def test_a_version_binding_without_a_version_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "", 'camunda:formRef="pruefung" camunda:formRefBinding="version"')
    assert _findings(path) == [("review", "camunda:formRefBinding »version« braucht camunda:formRefVersion.")]


def test_form_key_and_form_ref_together_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "", 'camunda:formKey="x" camunda:formRef="pruefung" camunda:formRefBinding="latest"')
    assert _findings(path) == [("review", "Nur eines von camunda:formKey und camunda:formRef ist erlaubt.")]


def test_form_ref_version_without_the_version_binding_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "", 'camunda:formRef="p" camunda:formRefBinding="latest" camunda:formRefVersion="3"')
    assert _findings(path) == [("review", "camunda:formRefVersion gilt nur mit camunda:formRefBinding »version«; "
                                          "hier ginge sie stillschweigend verloren.")]
