"""Event subprocesses of every start kind Camunda 7 runs: interrupting or not, message, error, escalation,
timer, signal; nested in subprocesses; each sees the variables as they are when it starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.util.task import TaskState

from engine.runtime.clock import SimulatedClock
from engine.runtime.lint import lint_paths
from engine.runtime.model import read_document
from engine.runtime.spiff import SafeScriptEngine, compile_process, new_workflow, ready_user_tasks

HEAD = ('<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="t">')


def run(body: str, extra: str = "") -> Any:
    root = etree.fromstring(f'{HEAD}{extra}<process id="P" isExecutable="true">{body}</process></definitions>')
    read_document(root, "p.bpmn")
    workflow = new_workflow(compile_process({"p.bpmn": root}, "P"), SafeScriptEngine(
        SimulatedClock(datetime(2025, 3, 3, 8, tzinfo=UTC))))
    workflow.do_engine_steps()
    return workflow


def ready(workflow: Any) -> list[str]:
    return sorted(task.task_spec.bpmn_id for task in ready_user_tasks(workflow))


def complete(workflow: Any, element: str, **data: Any) -> None:
    [task] = [task for task in ready_user_tasks(workflow) if task.task_spec.bpmn_id == element]
    task.data.update(data)
    task.run()
    workflow.do_engine_steps()


MAIN = """
  <startEvent id="S" /><sequenceFlow id="f1" sourceRef="S" targetRef="A" />
  <userTask id="A" /><sequenceFlow id="f2" sourceRef="A" targetRef="E" />
  <endEvent id="E" />"""


def event_subprocess(definition: str, interrupting: bool = True) -> str:
    flag = "" if interrupting else ' isInterrupting="false"'
    return f"""
  <subProcess id="Ev" triggeredByEvent="true">
    <startEvent id="Ev_Start"{flag}>{definition}</startEvent>
    <sequenceFlow id="g1" sourceRef="Ev_Start" targetRef="X" />
    <userTask id="X" /><sequenceFlow id="g2" sourceRef="X" targetRef="Ev_End" />
    <endEvent id="Ev_End" />
  </subProcess>"""


def test_an_interrupting_message_event_subprocess_cancels_the_main_flow() -> None:
    workflow = run(MAIN + event_subprocess('<messageEventDefinition messageRef="M" />'),
                   '<message id="M" name="stop" />')
    assert ready(workflow) == ["A"]
    start = workflow.subprocess_specs["Ev"].task_specs["Ev_Start"]
    workflow.send_event(BpmnEvent(start.event_definition, {"payload": None, "result_var": "stop"}))
    workflow.do_engine_steps()
    assert ready(workflow) == ["X"]
    assert not workflow.get_tasks(state=TaskState.READY | TaskState.WAITING, spec_name="A")
    complete(workflow, "X")
    assert workflow.is_completed()


def test_an_error_event_subprocess_sees_the_variables_as_they_are_when_the_error_is_thrown() -> None:
    body = """
  <startEvent id="S" /><sequenceFlow id="f1" sourceRef="S" targetRef="A" />
  <userTask id="A" /><sequenceFlow id="f2" sourceRef="A" targetRef="Fail" />
  <endEvent id="Fail"><errorEventDefinition errorRef="oops" /></endEvent>"""
    workflow = run(body + event_subprocess('<errorEventDefinition errorRef="oops" />'))
    complete(workflow, "A", answer=42)
    assert ready(workflow) == ["X"]
    [x] = ready_user_tasks(workflow)
    assert x.data.get("answer") == 42
    complete(workflow, "X")
    assert workflow.is_completed()


def test_an_error_event_subprocess_inside_a_subprocess_runs_there() -> None:
    """SpiffWorkflow triggers event subprocesses of the top process only: the error passed by and the
    subprocess ended as if nothing had happened."""
    body = """
  <startEvent id="S" /><sequenceFlow id="f1" sourceRef="S" targetRef="Sub" />
  <subProcess id="Sub">
    <startEvent id="SubStart" /><sequenceFlow id="s1" sourceRef="SubStart" targetRef="A" />
    <userTask id="A" /><sequenceFlow id="s2" sourceRef="A" targetRef="Fail" />
    <endEvent id="Fail"><errorEventDefinition errorRef="oops" /></endEvent>
    """ + event_subprocess('<errorEventDefinition errorRef="oops" />') + """
  </subProcess>
  <sequenceFlow id="f2" sourceRef="Sub" targetRef="After" />
  <userTask id="After" /><sequenceFlow id="f3" sourceRef="After" targetRef="E" />
  <endEvent id="E" />"""
    workflow = run(body)
    complete(workflow, "A", answer=42)
    assert ready(workflow) == ["X"]
    assert ready_user_tasks(workflow)[0].data.get("answer") == 42
    complete(workflow, "X")
    assert ready(workflow) == ["After"]
    complete(workflow, "After")
    assert workflow.is_completed()


def test_a_signal_event_subprocess_inside_a_subprocess_is_refused(tmp_path: Path) -> None:
    body = """
  <startEvent id="S" /><sequenceFlow id="f1" sourceRef="S" targetRef="Sub" />
  <subProcess id="Sub">
    <startEvent id="SubStart" /><sequenceFlow id="s1" sourceRef="SubStart" targetRef="A" />
    <userTask id="A" /><sequenceFlow id="s2" sourceRef="A" targetRef="SubEnd" />
    <endEvent id="SubEnd" />
    """ + event_subprocess('<signalEventDefinition signalRef="M" />') + """
  </subProcess>
  <sequenceFlow id="f2" sourceRef="Sub" targetRef="E" />
  <endEvent id="E" />"""
    path = tmp_path / "p.bpmn"
    path.write_text(f'{HEAD}<signal id="M" name="m" /><process id="P" isExecutable="true">{body}</process>'
                    '</definitions>', encoding="utf-8")
    assert [(f.element_id, f.message) for f in lint_paths([path])] == [
        ("Ev", "Ein Ereignis-Teilprozess in einem Unterprozess wird nur mit einem Fehler-, Eskalations-, "
               "Nachrichten- oder Zeit-Start ausgeführt.")]


def timer(kind: str, value: str) -> str:
    return f"<timerEventDefinition><{kind}>{value}</{kind}></timerEventDefinition>"


def pass_time(workflow: Any, hours: float) -> None:
    clock = workflow.script_engine.clock
    clock.set(clock.now() + timedelta(hours=hours))
    workflow.refresh_timers()
    workflow.do_engine_steps()


def test_a_timer_started_event_subprocess_is_accepted_in_the_process_and_in_a_subprocess(tmp_path: Path) -> None:
    nested = """
  <startEvent id="S" /><sequenceFlow id="f1" sourceRef="S" targetRef="Sub" />
  <subProcess id="Sub">
    <startEvent id="SubStart" /><sequenceFlow id="s1" sourceRef="SubStart" targetRef="A" />
    <userTask id="A" /><sequenceFlow id="s2" sourceRef="A" targetRef="SubEnd" />
    <endEvent id="SubEnd" />
    """ + event_subprocess(timer("timeCycle", "R/PT1H"), interrupting=False) + """
  </subProcess>
  <sequenceFlow id="f2" sourceRef="Sub" targetRef="E" />
  <endEvent id="E" />"""
    for index, body in enumerate((MAIN + event_subprocess(timer("timeDuration", "PT1H")), nested)):
        path = tmp_path / f"p{index}.bpmn"
        path.write_text(f'{HEAD}<process id="P" isExecutable="true">{body}</process></definitions>', encoding="utf-8")
        assert lint_paths([path]) == []


def test_an_interrupting_timer_event_subprocess_cancels_the_main_flow_when_the_timer_fires() -> None:
    workflow = run(MAIN + event_subprocess(timer("timeDuration", "PT1H")))
    assert ready(workflow) == ["A"]
    pass_time(workflow, 0.5)
    assert ready(workflow) == ["A"]
    pass_time(workflow, 1)
    assert ready(workflow) == ["X"]
    complete(workflow, "X")
    assert workflow.is_completed()


def test_an_interrupting_timer_cycle_fires_once() -> None:
    workflow = run(MAIN + event_subprocess(timer("timeCycle", "R5/PT1H")))
    pass_time(workflow, 1.5)
    pass_time(workflow, 1.5)
    assert ready(workflow) == ["X"]
    complete(workflow, "X")
    assert workflow.is_completed()


def test_the_timer_of_an_event_subprocess_ends_with_its_scope() -> None:
    workflow = run(MAIN + event_subprocess(timer("timeCycle", "R/PT1H"), interrupting=False))
    complete(workflow, "A")
    assert workflow.is_completed()  # Camunda removes the timer with the instance; it never waits for it


def test_a_run_a_cycle_started_is_waited_for_and_then_the_timer_ends_with_its_scope() -> None:
    workflow = run(MAIN + event_subprocess(timer("timeCycle", "R/PT1H"), interrupting=False))
    pass_time(workflow, 1.5)
    assert ready(workflow) == ["A", "X"]
    complete(workflow, "A")
    assert ready(workflow) == ["X"]
    assert not workflow.is_completed()
    complete(workflow, "X")
    assert workflow.is_completed()


def test_a_run_under_way_is_waited_for_when_the_main_flow_ends() -> None:
    workflow = run(MAIN + event_subprocess(timer("timeDuration", "PT1H"), interrupting=False))
    pass_time(workflow, 2)
    assert ready(workflow) == ["A", "X"]
    complete(workflow, "A")
    assert not workflow.is_completed()
    complete(workflow, "X")
    assert workflow.is_completed()


def test_a_signal_end_event_sends_its_signal() -> None:
    body = """
  <startEvent id="S" /><sequenceFlow id="f1" sourceRef="S" targetRef="Fork" />
  <parallelGateway id="Fork" />
  <sequenceFlow id="f2" sourceRef="Fork" targetRef="Wait" />
  <sequenceFlow id="f3" sourceRef="Fork" targetRef="A" />
  <intermediateCatchEvent id="Wait"><signalEventDefinition signalRef="sig" /></intermediateCatchEvent>
  <sequenceFlow id="f4" sourceRef="Wait" targetRef="After" />
  <userTask id="After" /><sequenceFlow id="f5" sourceRef="After" targetRef="E" />
  <endEvent id="E" />
  <userTask id="A" /><sequenceFlow id="f6" sourceRef="A" targetRef="Send" />
  <endEvent id="Send"><signalEventDefinition signalRef="sig" /></endEvent>"""
    workflow = run(body, '<signal id="sig" name="alarm" />')
    complete(workflow, "A")
    assert ready(workflow) == ["After"]


def test_a_catch_sets_the_error_code_and_message_variables() -> None:
    body = """
  <startEvent id="S" /><sequenceFlow id="f1" sourceRef="S" targetRef="Sub" />
  <subProcess id="Sub">
    <startEvent id="SubStart" /><sequenceFlow id="s1" sourceRef="SubStart" targetRef="Fail" />
    <endEvent id="Fail"><errorEventDefinition errorRef="oops" /></endEvent>
  </subProcess>
  <boundaryEvent id="Caught" attachedToRef="Sub">
    <errorEventDefinition camunda:errorCodeVariable="code" camunda:errorMessageVariable="text" />
  </boundaryEvent>
  <sequenceFlow id="f2" sourceRef="Caught" targetRef="Handle" />
  <userTask id="Handle" /><sequenceFlow id="f3" sourceRef="Handle" targetRef="E" />
  <sequenceFlow id="f4" sourceRef="Sub" targetRef="E" />
  <endEvent id="E" />"""
    workflow = run(body, '<error id="oops" errorCode="E42" camunda:errorMessage="kaputt" />')
    [handle] = ready_user_tasks(workflow)
    assert (handle.task_spec.bpmn_id, handle.data.get("code"), handle.data.get("text")) == ("Handle", "E42", "kaputt")


def test_an_escalation_rethrown_in_an_event_subprocess_is_not_caught_by_it_again() -> None:
    body = """
  <startEvent id="S" /><sequenceFlow id="f1" sourceRef="S" targetRef="Sub" />
  <subProcess id="Sub">
    <startEvent id="SubStart" /><sequenceFlow id="s1" sourceRef="SubStart" targetRef="Up" />
    <intermediateThrowEvent id="Up"><escalationEventDefinition escalationRef="esc" /></intermediateThrowEvent>
    <sequenceFlow id="s2" sourceRef="Up" targetRef="SubEnd" /><endEvent id="SubEnd" />
    <subProcess id="Ev" triggeredByEvent="true">
      <startEvent id="Ev_Start" isInterrupting="false"><escalationEventDefinition escalationRef="esc" /></startEvent>
      <sequenceFlow id="g1" sourceRef="Ev_Start" targetRef="X" />
      <userTask id="X" /><sequenceFlow id="g2" sourceRef="X" targetRef="Again" />
      <endEvent id="Again"><escalationEventDefinition escalationRef="esc" /></endEvent>
    </subProcess>
  </subProcess>
  <sequenceFlow id="f2" sourceRef="Sub" targetRef="E" /><endEvent id="E" />"""
    workflow = run(body, '<escalation id="esc" escalationCode="up" />')
    complete(workflow, "X")
    assert ready(workflow) == []
    assert workflow.is_completed()


def test_a_signal_is_delivered_to_what_waits_for_it() -> None:
    from engine.runtime.engine import ProcessEngine
    from engine.runtime.store import Database

    body = """
  <startEvent id="S" /><sequenceFlow id="f1" sourceRef="S" targetRef="Wait" />
  <intermediateCatchEvent id="Wait"><signalEventDefinition signalRef="sig" /></intermediateCatchEvent>
  <sequenceFlow id="f2" sourceRef="Wait" targetRef="After" />
  <userTask id="After" /><sequenceFlow id="f3" sourceRef="After" targetRef="E" /><endEvent id="E" />"""
    workflow = run(body, '<signal id="sig" name="alarm" />')
    engine = ProcessEngine(Database("sqlite://"), SimulatedClock(datetime(2025, 3, 3, 8, tzinfo=UTC)))
    assert engine.send_signal(workflow, "anderes") is None
    assert engine.send_signal(workflow, "alarm", {"grund": "Test"}) is not None
    [after] = ready_user_tasks(workflow)
    assert (after.task_spec.bpmn_id, after.data.get("grund")) == ("After", "Test")


def test_a_message_starts_the_event_subprocess_of_a_subprocess_running_now() -> None:
    from engine.runtime.engine import ProcessEngine
    from engine.runtime.event_subprocess import message_starts
    from engine.runtime.store import Database

    body = """
  <startEvent id="S" /><sequenceFlow id="f1" sourceRef="S" targetRef="Sub" />
  <subProcess id="Sub">
    <startEvent id="SubStart" /><sequenceFlow id="s1" sourceRef="SubStart" targetRef="A" />
    <userTask id="A" /><sequenceFlow id="s2" sourceRef="A" targetRef="SubEnd" /><endEvent id="SubEnd" />
    """ + event_subprocess('<messageEventDefinition messageRef="M" />', interrupting=False) + """
  </subProcess>
  <sequenceFlow id="f2" sourceRef="Sub" targetRef="E" /><endEvent id="E" />"""
    workflow = run(body, '<message id="M" name="hinweis" />')
    assert [element for element, _ in message_starts(workflow)] == ["Ev_Start"]
    engine = ProcessEngine(Database("sqlite://"), SimulatedClock(datetime(2025, 3, 3, 8, tzinfo=UTC)))
    engine.send_message(workflow, "hinweis", {})
    assert ready(workflow) == ["A", "X"]
    complete(workflow, "X")
    complete(workflow, "A")
    assert workflow.is_completed()



def test_a_thrown_signal_carries_only_what_camunda_in_names() -> None:
    body = """
  <startEvent id="S" /><sequenceFlow id="f1" sourceRef="S" targetRef="Fork" />
  <parallelGateway id="Fork" />
  <sequenceFlow id="f2" sourceRef="Fork" targetRef="Wait" />
  <sequenceFlow id="f3" sourceRef="Fork" targetRef="A" />
  <intermediateCatchEvent id="Wait"><signalEventDefinition signalRef="sig" /></intermediateCatchEvent>
  <sequenceFlow id="f4" sourceRef="Wait" targetRef="After" />
  <userTask id="After" /><sequenceFlow id="f5" sourceRef="After" targetRef="E" /><endEvent id="E" />
  <userTask id="A" /><sequenceFlow id="f6" sourceRef="A" targetRef="Send" />
  <intermediateThrowEvent id="Send">
    <extensionElements><camunda:in source="secret" target="passed" /></extensionElements>
    <signalEventDefinition signalRef="sig" />
  </intermediateThrowEvent>
  <sequenceFlow id="f7" sourceRef="Send" targetRef="E2" /><endEvent id="E2" />"""
    workflow = run(body, '<signal id="sig" name="alarm" />')
    complete(workflow, "A", secret=7, other=8)
    [after] = ready_user_tasks(workflow)
    assert (after.data.get("passed"), "other" in after.data, "secret" in after.data) == (7, False, False)


@pytest.mark.parametrize("nested", [False, True], ids=["im Prozess", "im Teilprozess"])
def test_a_run_started_in_one_instance_leaves_later_instances_untouched(nested: bool) -> None:
    """The library wires a scope's start to the event subprocess in the compiled process when an event
    first starts a run; later instances of that version began with a run waiting for the event and never
    ended. Checked for a signal in the instance and a message in a subprocess."""
    from engine.runtime.engine import ProcessEngine
    from engine.runtime.store import Database

    if nested:
        body = """
  <startEvent id="S" /><sequenceFlow id="f1" sourceRef="S" targetRef="Sub" />
  <subProcess id="Sub">
    <startEvent id="SubStart" /><sequenceFlow id="s1" sourceRef="SubStart" targetRef="A" />
    <userTask id="A" /><sequenceFlow id="s2" sourceRef="A" targetRef="SubEnd" /><endEvent id="SubEnd" />
    """ + event_subprocess('<messageEventDefinition messageRef="M" />', interrupting=False) + """
  </subProcess>
  <sequenceFlow id="f2" sourceRef="Sub" targetRef="E" /><endEvent id="E" />"""
        extra = '<message id="M" name="hinweis" />'
    else:
        body = MAIN + event_subprocess('<signalEventDefinition signalRef="sig" />', interrupting=False)
        extra = '<signal id="sig" name="alarm" />'
    root = etree.fromstring(f'{HEAD}{extra}<process id="P" isExecutable="true">{body}</process></definitions>')
    read_document(root, "p.bpmn")
    process = compile_process({"p.bpmn": root}, "P")
    clock = SimulatedClock(datetime(2025, 3, 3, 8, tzinfo=UTC))
    engine = ProcessEngine(Database("sqlite://"), clock)
    first = new_workflow(process, SafeScriptEngine(clock))
    first.do_engine_steps()
    if nested:
        engine.send_message(first, "hinweis", {})
    else:
        engine.send_signal(first, "alarm")
    assert ready(first) == ["A", "X"]
    later = new_workflow(process, SafeScriptEngine(clock))
    later.do_engine_steps()
    assert ready(later) == ["A"]
    complete(later, "A")
    assert later.is_completed()


def test_an_error_thrown_by_the_processs_own_error_event_subprocess_is_not_caught_by_it_again() -> None:
    body = """
  <startEvent id="S" /><sequenceFlow id="f1" sourceRef="S" targetRef="Fail" />
  <endEvent id="Fail"><errorEventDefinition errorRef="first" /></endEvent>
  <subProcess id="Ev" triggeredByEvent="true">
    <startEvent id="Ev_Start"><errorEventDefinition /></startEvent>
    <sequenceFlow id="g1" sourceRef="Ev_Start" targetRef="X" />
    <userTask id="X" /><sequenceFlow id="g2" sourceRef="X" targetRef="Again" />
    <endEvent id="Again"><errorEventDefinition errorRef="second" /></endEvent>
  </subProcess>"""
    workflow = run(body, '<error id="first" errorCode="E1" /><error id="second" errorCode="E2" />')
    assert ready(workflow) == ["X"]
    complete(workflow, "X")
    assert ready(workflow) == []  # Camunda runs the handler once; it does not start again for its own error
    assert workflow.is_completed()
