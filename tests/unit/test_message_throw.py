"""Message throw and end events as Camunda 7 runs them without an implementation (BpmnParse: a none event):
nothing is sent, so a catch in the same instance keeps waiting, and the messageRef is not resolved.
Before, such a throw was accepted by lint and failed when the instance reached it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from engine.runtime.clock import SimulatedClock
from engine.runtime.lint import lint_paths, load_files
from engine.runtime.spiff import SafeScriptEngine, compile_process, new_workflow, waiting_events

START = datetime(2025, 1, 6, 8, tzinfo=UTC)


def run(tmp_path: Path, body: str) -> tuple[list[tuple[str | None, str]], object]:
    path = tmp_path / "werfen.bpmn20.xml"
    path.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="probe">
  <message id="m" name="M" />
  <process id="probe" isExecutable="true">{body}</process>
</definitions>""", encoding="utf-8")
    findings = [(f.element_id, f.message) for f in lint_paths([path])]
    if findings:
        return findings, None
    documents, _ = load_files([path])
    workflow = new_workflow(compile_process({n: d.root for n, d in documents.items()}, "probe", {}),
                            SafeScriptEngine(SimulatedClock(START)))
    workflow.do_engine_steps()
    return findings, workflow


def test_a_message_throw_sends_nothing_a_catch_in_the_instance_keeps_waiting(tmp_path: Path) -> None:
    findings, workflow = run(tmp_path, """
    <startEvent id="start" />
    <sequenceFlow id="f0" sourceRef="start" targetRef="fork" />
    <parallelGateway id="fork" />
    <sequenceFlow id="f1" sourceRef="fork" targetRef="warten" />
    <sequenceFlow id="f2" sourceRef="fork" targetRef="werfen" />
    <intermediateCatchEvent id="warten"><messageEventDefinition messageRef="m" /></intermediateCatchEvent>
    <intermediateThrowEvent id="werfen"><messageEventDefinition messageRef="m" /></intermediateThrowEvent>
    <sequenceFlow id="f3" sourceRef="warten" targetRef="e1" />
    <sequenceFlow id="f4" sourceRef="werfen" targetRef="e2" />
    <endEvent id="e1" /><endEvent id="e2" />""")
    assert findings == []
    assert [element for _, element, _, _ in waiting_events(workflow)] == ["warten"]


def test_a_message_end_event_and_a_throw_naming_no_declared_message_pass(tmp_path: Path) -> None:
    findings, workflow = run(tmp_path, """
    <startEvent id="start" />
    <sequenceFlow id="f0" sourceRef="start" targetRef="werfen" />
    <intermediateThrowEvent id="werfen"><messageEventDefinition messageRef="nirgends" /></intermediateThrowEvent>
    <sequenceFlow id="f1" sourceRef="werfen" targetRef="ende" />
    <endEvent id="ende"><messageEventDefinition messageRef="m" /></endEvent>""")
    assert findings == []
    assert workflow.is_completed()


def test_a_catch_naming_no_declared_message_stays_refused(tmp_path: Path) -> None:
    findings, _ = run(tmp_path, """
    <startEvent id="start" />
    <sequenceFlow id="f0" sourceRef="start" targetRef="warten" />
    <intermediateCatchEvent id="warten"><messageEventDefinition messageRef="nirgends" /></intermediateCatchEvent>
    <sequenceFlow id="f1" sourceRef="warten" targetRef="ende" />
    <endEvent id="ende" />""")
    assert findings == [("warten", "Das Nachrichtenereignis verweist auf keine definierte Nachricht (messageRef).")]
