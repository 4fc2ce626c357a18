"""Event subprocesses started by a condition, as Camunda 7 runs them (EventSubProcessStartConditionalEventTest):
the condition is evaluated when the scope starts and whenever its variables change; an interrupting run
cancels the rest of the scope and fires once, a non-interrupting one starts a run beside it on each change
that makes the condition hold."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engine.runtime.clock import SimulatedClock
from engine.runtime.conditional import refresh_conditions
from engine.runtime.lint import lint_paths, load_files
from engine.runtime.spiff import SafeScriptEngine, compile_process, new_workflow, ready_user_tasks

START = datetime(2025, 1, 6, 8, tzinfo=UTC)


def diagram(tmp_path: Path, condition: str, interrupting: bool = True, listens: str = "") -> Path:
    path = tmp_path / "bedingt.bpmn20.xml"
    path.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="probe"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn">
  <process id="probe" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="f1" sourceRef="start" targetRef="vorher" />
    <userTask id="vorher" />
    <sequenceFlow id="f2" sourceRef="vorher" targetRef="ende" />
    <endEvent id="ende" />
    <subProcess id="bedingt" triggeredByEvent="true">
      <startEvent id="bedingt_start" isInterrupting="{'true' if interrupting else 'false'}">
        <conditionalEventDefinition {listens}><condition>{condition}</condition></conditionalEventDefinition>
      </startEvent>
      <sequenceFlow id="g1" sourceRef="bedingt_start" targetRef="danach" />
      <userTask id="danach" />
      <sequenceFlow id="g2" sourceRef="danach" targetRef="bedingt_ende" />
      <endEvent id="bedingt_ende" />
    </subProcess>
  </process>
</definitions>
""", encoding="utf-8")
    return path


def run(workflow: Any) -> None:
    refresh_conditions(workflow)
    workflow.do_engine_steps()
    while refresh_conditions(workflow):
        workflow.do_engine_steps()


def started(path: Path, data: dict[str, Any] | None = None) -> Any:
    assert lint_paths([path]) == []
    documents, _ = load_files([path])
    roots = {name: document.root for name, document in documents.items()}
    workflow = new_workflow(compile_process(roots, "probe", {}), SafeScriptEngine(SimulatedClock(START)))
    workflow.task_tree.data = dict(data or {})
    for task in workflow.get_tasks():
        if task.parent is not None:
            task.data = dict(data or {})
    run(workflow)
    return workflow


def open_tasks(workflow: Any) -> list[str]:
    return sorted(task.task_spec.bpmn_id for task in ready_user_tasks(workflow))


def set_variable(workflow: Any, name: str, value: Any) -> None:
    """As `runtimeService.setVariable` does: the instance's variables change, then conditions are evaluated."""
    for task in workflow.get_tasks():
        task.data[name] = value
    run(workflow)


def test_a_true_condition_starts_the_event_subprocess_when_the_instance_starts(tmp_path: Path) -> None:
    workflow = started(diagram(tmp_path, "${true}"))
    assert open_tasks(workflow) == ["danach"]  # interrupting: the task before is cancelled


def test_a_false_condition_leaves_the_instance_where_it_is(tmp_path: Path) -> None:
    workflow = started(diagram(tmp_path, "${false}"))
    set_variable(workflow, "variable", 1)
    assert open_tasks(workflow) == ["vorher"]


def test_a_variable_change_that_makes_the_condition_hold_interrupts(tmp_path: Path) -> None:
    workflow = started(diagram(tmp_path, "${variable == 1}"))
    assert open_tasks(workflow) == ["vorher"]
    set_variable(workflow, "variable", 1)
    assert open_tasks(workflow) == ["danach"]
    [task] = ready_user_tasks(workflow)
    task.run()
    run(workflow)
    assert workflow.is_completed()


def test_a_non_interrupting_one_starts_a_run_beside_the_flow_on_each_change(tmp_path: Path) -> None:
    workflow = started(diagram(tmp_path, "${variable >= 1}", interrupting=False), {"variable": 0})
    assert open_tasks(workflow) == ["vorher"]
    set_variable(workflow, "variable", 1)
    assert open_tasks(workflow) == ["danach", "vorher"]
    run(workflow)  # nothing changed: no second run
    assert open_tasks(workflow) == ["danach", "vorher"]
    set_variable(workflow, "variable", 2)
    assert open_tasks(workflow) == ["danach", "danach", "vorher"]


def test_variable_name_listens_to_that_variable_only(tmp_path: Path) -> None:
    workflow = started(diagram(tmp_path, "${anderes == 1}", interrupting=False,
                               listens='camunda:variableName="variable"'), {"variable": 0, "anderes": 0})
    set_variable(workflow, "anderes", 1)  # the condition holds now, but the variable listened to did not change
    assert open_tasks(workflow) == ["vorher"]
    set_variable(workflow, "variable", 5)
    assert open_tasks(workflow) == ["danach", "vorher"]


def test_variable_events_listen_to_those_kinds_of_change_only(tmp_path: Path) -> None:
    workflow = started(diagram(tmp_path, "${variable >= 1}", interrupting=False,
                               listens='camunda:variableName="variable" camunda:variableEvents="update"'))
    set_variable(workflow, "variable", 1)  # created, not updated
    assert open_tasks(workflow) == ["vorher"]
    set_variable(workflow, "variable", 2)
    assert open_tasks(workflow) == ["danach", "vorher"]


def test_a_true_condition_with_variable_events_still_fires_when_the_scope_starts(tmp_path: Path) -> None:
    workflow = started(diagram(tmp_path, "${variable == 1}", interrupting=False,
                               listens='camunda:variableName="variable" camunda:variableEvents="update"'),
                       {"variable": 1})
    assert open_tasks(workflow) == ["danach", "vorher"]


def test_variable_name_on_an_intermediate_conditional_event_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "zwischen.bpmn20.xml"
    path.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="probe"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn">
  <process id="probe" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="f1" sourceRef="start" targetRef="warten" />
    <intermediateCatchEvent id="warten"><conditionalEventDefinition camunda:variableName="x">
      <condition>${x == 1}</condition></conditionalEventDefinition></intermediateCatchEvent>
    <sequenceFlow id="f2" sourceRef="warten" targetRef="ende" />
    <endEvent id="ende" />
  </process>
</definitions>
""", encoding="utf-8")
    assert [(f.element_id, f.message) for f in lint_paths([path])] == [
        ("warten", "camunda:variableName wird nur am bedingten Start eines Ereignis-Teilprozesses ausgeführt; hier "
                   "ginge es stillschweigend verloren.")]


def test_a_conditional_process_start_beside_another_start_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "start.bpmn20.xml"
    path.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="probe">
  <process id="probe" isExecutable="true">
    <startEvent id="start"><conditionalEventDefinition><condition>${x == 1}</condition></conditionalEventDefinition>
    </startEvent>
    <startEvent id="start2" />
    <sequenceFlow id="f1" sourceRef="start" targetRef="ende" />
    <sequenceFlow id="f2" sourceRef="start2" targetRef="ende" />
    <endEvent id="ende" />
  </process>
</definitions>
""", encoding="utf-8")
    assert [(f.element_id, f.message) for f in lint_paths([path])] == [
        ("start", "Ein Prozess mit bedingtem Start-Ereignis darf kein weiteres Start-Ereignis haben: Camunda startet "
                  "je Start eine eigene Instanz, ein Fall hat nur eine.")]
