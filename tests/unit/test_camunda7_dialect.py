"""Camunda 7 diagrams as they are written by hand and by generators: run as Camunda runs them or refused.

Each test is a defect the Camunda 7 conformance sweep found (issue 10): accepted, then silently wrong.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from engine.runtime.clock import SimulatedClock
from engine.runtime.lint import lint_paths, load_files
from engine.runtime.spiff import SafeScriptEngine, compile_process, new_workflow, ready_user_tasks

START = datetime(2025, 1, 6, 8, tzinfo=UTC)
HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:activiti="http://activiti.org/bpmn" '
        'xmlns:operaton="http://operaton.org/schema/1.0/bpmn" targetNamespace="probe">\n')


def write(tmp_path: Path, body: str, before: str = "") -> Path:
    path = tmp_path / "probe.bpmn20.xml"
    path.write_text(f'{HEAD}{before}<process id="probe" isExecutable="true">\n{body}\n</process>\n</definitions>\n',
                    encoding="utf-8")
    return path


def started(path: Path, data: dict[str, Any] | None = None) -> Any:
    """Lint must pass; then the process is started and run to its first wait state."""
    assert lint_paths([path]) == []
    documents, _ = load_files([path])
    roots = {name: document.root for name, document in documents.items()}
    workflow = new_workflow(compile_process(roots, "probe", {}), SafeScriptEngine(SimulatedClock(START)))
    workflow.task_tree.data = dict(data or {})
    workflow.do_engine_steps()
    return workflow


def waiting_at(workflow: Any) -> list[str]:
    return sorted(task.task_spec.bpmn_id for task in ready_user_tasks(workflow))


def messages(path: Path) -> list[tuple[str | None, str]]:
    return [(finding.element_id, finding.message) for finding in lint_paths([path])]


def test_sequence_flows_without_id_connect_the_elements(tmp_path: Path) -> None:
    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow sourceRef="start" targetRef="review" />
      <userTask id="review" />
      <sequenceFlow sourceRef="review" targetRef="end" />
      <endEvent id="end" />""")
    workflow = started(path)
    assert waiting_at(workflow) == ["review"]
    assert not workflow.is_completed()


@pytest.mark.parametrize("tag", ["task", "manualTask"])
def test_task_and_manual_task_pass_through(tmp_path: Path, tag: str) -> None:
    path = write(tmp_path, f"""
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="plain" />
      <{tag} id="plain" />
      <sequenceFlow id="f2" sourceRef="plain" targetRef="review" />
      <userTask id="review" />
      <sequenceFlow id="f3" sourceRef="review" targetRef="end" />
      <endEvent id="end" />""")
    assert waiting_at(started(path)) == ["review"]


@pytest.mark.parametrize("prefix", ["activiti", "operaton", "camunda"])
def test_activiti_and_operaton_attributes_read_like_camunda(tmp_path: Path, prefix: str) -> None:
    path = write(tmp_path, f"""
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="review" />
      <userTask id="review" {prefix}:assignee="kermit" {prefix}:candidateGroups="management,sales"
                {prefix}:formKey="form:review" {prefix}:priority="70" />
      <sequenceFlow id="f2" sourceRef="review" targetRef="end" />
      <endEvent id="end" />""")
    assert lint_paths([path]) == []
    documents, _ = load_files([path])
    [document] = documents.values()
    task = document.processes["probe"].user_tasks["review"]
    assert (task.assignee, task.candidate_groups, task.form_key, task.priority) == (
        "kermit", "management,sales", "form:review", "70")


def test_resource_condition_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="fork" />
      <exclusiveGateway id="fork" default="f3" />
      <sequenceFlow id="f2" sourceRef="fork" targetRef="end">
        <conditionExpression xsi:type="tFormalExpression" language="groovy" camunda:resource="cond.groovy"
          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" />
      </sequenceFlow>
      <sequenceFlow id="f3" sourceRef="fork" targetRef="end" />
      <endEvent id="end" />""")
    found = messages(path)
    assert found and all(element for element, _ in found)
    assert any(element == "f2" and "camunda:resource" in message for element, message in found)


def test_unknown_camunda_attribute_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="review" />
      <userTask id="review" camunda:somethingNew="x" />
      <sequenceFlow id="f2" sourceRef="review" targetRef="end" />
      <endEvent id="end" />""")
    assert ("review", "Das Attribut camunda:somethingNew wird nicht ausgeführt; es ginge stillschweigend "
                      "verloren.") in messages(path)


def test_initiator_is_set_to_who_starts(tmp_path: Path) -> None:
    from engine.runtime.model import read_document
    from engine.runtime.xmlsafe import parse_xml

    path = write(tmp_path, """
      <startEvent id="start" camunda:initiator="starter" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="review" />
      <userTask id="review" camunda:assignee="${starter}" />
      <sequenceFlow id="f2" sourceRef="review" targetRef="end" />
      <endEvent id="end" />""")
    assert lint_paths([path]) == []
    document = read_document(parse_xml(path.read_bytes(), str(path)), str(path))
    assert document.processes["probe"].initiator == "starter"


def test_empty_message_name_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
      <intermediateCatchEvent id="wait"><messageEventDefinition messageRef="m" /></intermediateCatchEvent>
      <sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
      <endEvent id="end" />""", before='<message id="m" name="" />\n')
    assert ("wait", "Die Nachricht hat keinen Namen; so kann sie nie zugestellt werden.") in messages(path)


def test_link_with_several_targets_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="jump" />
      <intermediateThrowEvent id="jump"><linkEventDefinition name="L" /></intermediateThrowEvent>
      <intermediateCatchEvent id="here"><linkEventDefinition name="L" /></intermediateCatchEvent>
      <intermediateCatchEvent id="there"><linkEventDefinition name="L" /></intermediateCatchEvent>
      <sequenceFlow id="f2" sourceRef="here" targetRef="end" />
      <sequenceFlow id="f3" sourceRef="there" targetRef="end" />
      <endEvent id="end" />""")
    found = messages(path)
    assert any(element == "there" and "Verknüpfung »L«" in message for element, message in found)


def test_a_link_jumps_to_its_catch_event_from_every_thrower(tmp_path: Path) -> None:
    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="fork" />
      <parallelGateway id="fork" />
      <sequenceFlow id="f2" sourceRef="fork" targetRef="jump1" />
      <sequenceFlow id="f3" sourceRef="fork" targetRef="jump2" />
      <intermediateThrowEvent id="jump1"><linkEventDefinition name="L" /></intermediateThrowEvent>
      <intermediateThrowEvent id="jump2"><linkEventDefinition name="L" /></intermediateThrowEvent>
      <intermediateCatchEvent id="landing"><linkEventDefinition name="L" /></intermediateCatchEvent>
      <sequenceFlow id="f4" sourceRef="landing" targetRef="after" />
      <userTask id="after" />
      <sequenceFlow id="f5" sourceRef="after" targetRef="end" />
      <endEvent id="end" />""")
    workflow = started(path)
    ready = ready_user_tasks(workflow)
    assert [task.task_spec.bpmn_id for task in ready] == ["after", "after"]  # one token per thrower, as Camunda
    for task in ready:
        task.run()
    workflow.do_engine_steps()
    assert workflow.is_completed()


def test_a_link_without_its_catch_event_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="jump" />
      <intermediateThrowEvent id="jump"><linkEventDefinition name="nowhere" /></intermediateThrowEvent>""")
    assert any(element == "jump" for element, _ in messages(path))


def test_a_collection_computed_by_a_method_call_is_refused_naming_the_task(tmp_path: Path) -> None:
    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="each" />
      <userTask id="each">
        <multiInstanceLoopCharacteristics camunda:elementVariable="item"
          camunda:collection="${myBean.resolveCollection(execution)}" />
      </userTask>
      <sequenceFlow id="f2" sourceRef="each" targetRef="end" />
      <endEvent id="end" />""")
    assert any(element == "each" and message.startswith("Sammlung der Mehrfachausführung:")
               for element, message in messages(path))


def test_an_inclusive_gateways_flow_without_condition_is_always_taken(tmp_path: Path) -> None:
    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="fork" />
      <inclusiveGateway id="fork" default="f4" />
      <sequenceFlow id="f2" sourceRef="fork" targetRef="always" />
      <sequenceFlow id="f3" sourceRef="fork" targetRef="sometimes">
        <conditionExpression>${input == 1}</conditionExpression>
      </sequenceFlow>
      <sequenceFlow id="f4" sourceRef="fork" targetRef="otherwise" />
      <userTask id="always" /><userTask id="sometimes" /><userTask id="otherwise" />
      <sequenceFlow id="f5" sourceRef="always" targetRef="end" />
      <sequenceFlow id="f6" sourceRef="sometimes" targetRef="end" />
      <sequenceFlow id="f7" sourceRef="otherwise" targetRef="end" />
      <endEvent id="end" />""")
    assert sorted(task.task_spec.bpmn_id for task in ready_user_tasks(started(path, {"input": 1}))) == [
        "always", "sometimes"]
    assert [task.task_spec.bpmn_id for task in ready_user_tasks(started(path, {"input": 2}))] == ["always"]


def test_prefixed_message_reference_is_resolved(tmp_path: Path) -> None:
    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
      <intermediateCatchEvent id="wait"><messageEventDefinition messageRef="tns:newInvoice" /></intermediateCatchEvent>
      <sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
      <endEvent id="end" />""", before='<message id="newInvoice" name="newInvoiceMessage" xmlns:tns="probe" />\n')
    workflow = started(path)
    [task] = workflow.event_manager.tasks.values()
    assert task.task_spec.event_definition.name == "newInvoiceMessage"


def test_error_reference_without_error_definition_is_the_error_code(tmp_path: Path) -> None:
    """Camunda 7 takes the errorRef itself as the error code when no bpmn:error has that id."""
    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="sub" />
      <subProcess id="sub">
        <startEvent id="subStart" />
        <sequenceFlow id="s1" sourceRef="subStart" targetRef="fail" />
        <endEvent id="fail"><errorEventDefinition errorRef="myError" /></endEvent>
      </subProcess>
      <boundaryEvent id="caught" attachedToRef="sub"><errorEventDefinition errorRef="myError" /></boundaryEvent>
      <sequenceFlow id="f2" sourceRef="caught" targetRef="handle" />
      <userTask id="handle" />
      <sequenceFlow id="f3" sourceRef="handle" targetRef="end" />
      <sequenceFlow id="f4" sourceRef="sub" targetRef="end" />
      <endEvent id="end" />""")
    assert waiting_at(started(path)) == ["handle"]


def test_error_end_event_without_reference_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="fail" />
      <endEvent id="fail"><errorEventDefinition /></endEvent>""")
    assert ("fail", "Ein Fehler-Endereignis braucht eine Fehlerreferenz (errorRef); Camunda lehnt es ohne ab.") \
        in messages(path)


def test_input_parameters_are_local_and_outputs_reach_the_process(tmp_path: Path) -> None:
    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="review" />
      <userTask id="review">
        <extensionElements>
          <camunda:inputOutput>
            <camunda:inputParameter name="local">${base + 1}</camunda:inputParameter>
            <camunda:inputParameter name="greeting">kermit_${base}</camunda:inputParameter>
            <camunda:inputParameter name="items"><camunda:list><camunda:value>a</camunda:value>
              <camunda:value>${base}</camunda:value></camunda:list></camunda:inputParameter>
            <camunda:inputParameter name="nothing" />
            <camunda:outputParameter name="result">${local * 10}</camunda:outputParameter>
          </camunda:inputOutput>
        </extensionElements>
      </userTask>
      <sequenceFlow id="f2" sourceRef="review" targetRef="after" />
      <userTask id="after" />
      <sequenceFlow id="f3" sourceRef="after" targetRef="end" />
      <endEvent id="end" />""")
    workflow = started(path, {"base": 4})
    [task] = ready_user_tasks(workflow)
    assert {k: task.data[k] for k in ("local", "greeting", "items", "nothing")} == {
        "local": 5, "greeting": "kermit_4", "items": ["a", 4], "nothing": None}
    task.run()
    workflow.do_engine_steps()
    [after] = ready_user_tasks(workflow)
    assert after.task_spec.bpmn_id == "after"
    assert {k: v for k, v in after.data.items() if not k.startswith("_")} == {"base": 4, "result": 50}


def test_output_parameter_on_multi_instance_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="review" />
      <userTask id="review">
        <extensionElements><camunda:inputOutput>
          <camunda:outputParameter name="result">x</camunda:outputParameter>
        </camunda:inputOutput></extensionElements>
        <multiInstanceLoopCharacteristics><loopCardinality>2</loopCardinality></multiInstanceLoopCharacteristics>
      </userTask>
      <sequenceFlow id="f2" sourceRef="review" targetRef="end" />
      <endEvent id="end" />""")
    assert any(element == "review" and "Mehrfachausführung" in message for element, message in messages(path))


CALLER = """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="call" />
      <callActivity id="call" calledElement="callee">
        <extensionElements>{mappings}</extensionElements>
      </callActivity>
      <sequenceFlow id="f2" sourceRef="call" targetRef="after" />
      <userTask id="after" />
      <sequenceFlow id="f3" sourceRef="after" targetRef="end" />
      <endEvent id="end" />"""
CALLEE = """<process id="callee" isExecutable="true">
      <startEvent id="cs" /><sequenceFlow id="c1" sourceRef="cs" targetRef="inner" />
      <userTask id="inner" /><sequenceFlow id="c2" sourceRef="inner" targetRef="ce" />
      <endEvent id="ce" /></process>"""


def called(tmp_path: Path, mappings: str) -> tuple[Any, Any]:
    path = write(tmp_path, CALLER.format(mappings=mappings), before=CALLEE)
    workflow = started(path, {"a": 1, "b": 2})
    [inner] = ready_user_tasks(workflow)
    return workflow, inner


def visible(task: Any) -> dict[str, Any]:
    return {key: value for key, value in task.data.items() if not key.startswith("_")}


def test_call_activity_passes_what_camunda_in_and_out_name(tmp_path: Path) -> None:
    workflow, inner = called(tmp_path, """
          <camunda:in source="a" target="x" />
          <camunda:in sourceExpression="${b * 10}" target="y" />
          <camunda:out source="z" target="fromCallee" />""")
    assert visible(inner) == {"x": 1, "y": 20}
    inner.data["z"] = "done"
    inner.data["leak"] = True
    inner.run()
    workflow.do_engine_steps()
    [after] = ready_user_tasks(workflow)
    assert visible(after) == {"a": 1, "b": 2, "fromCallee": "done"}


def test_call_activity_without_mappings_passes_nothing(tmp_path: Path) -> None:
    workflow, inner = called(tmp_path, "")
    assert visible(inner) == {}
    inner.data["leak"] = True
    inner.run()
    workflow.do_engine_steps()
    [after] = ready_user_tasks(workflow)
    assert visible(after) == {"a": 1, "b": 2}


def test_call_activity_with_all_variables_passes_all(tmp_path: Path) -> None:
    workflow, inner = called(tmp_path, '<camunda:in variables="all" /><camunda:out variables="all" />')
    assert visible(inner) == {"a": 1, "b": 2}
    inner.data["c"] = 3
    inner.run()
    workflow.do_engine_steps()
    [after] = ready_user_tasks(workflow)
    assert visible(after) == {"a": 1, "b": 2, "c": 3}


def test_business_key_passing_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, CALLER.format(mappings='<camunda:in businessKey="${key}" />'), before=CALLEE)
    assert any(element == "call" and "businessKey" in message for element, message in messages(path))


@pytest.mark.parametrize(("text", "expected"), [
    ("${name.equals('kermit')}", True),
    ("${list.size() == 3}", True),
    ("${list.contains(2)}", True),
    ("${name.contains('erm')}", True),
    ("${blank.isEmpty()}", True),
    ("${map.containsKey('a') && map.get('a') == 1}", True),
    ("${name.startsWith('ker') and name.length() == 6}", True),
    ("${'source'.concat(name) == 'sourcekermit'}", True),
])
def test_java_methods_camunda_users_write(text: str, expected: object) -> None:
    from engine.runtime import expressions

    variables = {"name": "kermit", "list": [1, 2, 3], "blank": "", "map": {"a": 1}}
    assert expressions.evaluate(text, variables) == expected


@pytest.mark.parametrize("text", ["${name.upper()}", "${name.__class__()}", "${name.size(1)}"])
def test_other_methods_are_refused(text: str) -> None:
    from engine.runtime import expressions

    with pytest.raises(expressions.ExpressionError):
        expressions.evaluate(text, {"name": "kermit"})


def test_multi_instance_variables_and_text_with_embedded_expressions(tmp_path: Path) -> None:
    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="review" />
      <userTask id="review" camunda:assignee="kermit_${loopCounter}">
        <extensionElements><camunda:inputOutput>
          <camunda:inputParameter name="label">Nr. ${loopCounter + 1} von ${nrOfInstances}</camunda:inputParameter>
        </camunda:inputOutput></extensionElements>
        <multiInstanceLoopCharacteristics isSequential="true">
          <loopCardinality>3</loopCardinality>
          <completionCondition>${nrOfCompletedInstances == 2}</completionCondition>
        </multiInstanceLoopCharacteristics>
      </userTask>
      <sequenceFlow id="f2" sourceRef="review" targetRef="after" />
      <userTask id="after" />
      <sequenceFlow id="f3" sourceRef="after" targetRef="end" />
      <endEvent id="end" />""")
    workflow = started(path)
    labels = []
    for _ in range(2):
        [task] = ready_user_tasks(workflow)
        assert task.task_spec.bpmn_id == "review"
        labels.append((task.data["label"], task.data["nrOfActiveInstances"]))
        task.run()
        workflow.do_engine_steps()
    assert labels == [("Nr. 1 von 3", 1), ("Nr. 2 von 3", 1)]
    [after] = ready_user_tasks(workflow)
    assert after.task_spec.bpmn_id == "after"
    assert not {"loopCounter", "nrOfInstances", "label"} & set(after.data)


def test_lint_evaluates_an_expression_of_literals_only(tmp_path: Path) -> None:
    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="fork" />
      <exclusiveGateway id="fork" default="f3" />
      <sequenceFlow id="f2" sourceRef="fork" targetRef="end">
        <conditionExpression>${9**9**9 &gt; 0}</conditionExpression>
      </sequenceFlow>
      <sequenceFlow id="f3" sourceRef="fork" targetRef="end" />
      <endEvent id="end" />""")
    [(element, message)] = messages(path)
    assert element == "f2" and message.startswith("Bedingung: Die Hochzahl bei '**'")


def test_several_outgoing_flows_of_a_task_are_all_taken(tmp_path: Path) -> None:
    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="work" />
      <task id="work" />
      <sequenceFlow id="f2" sourceRef="work" targetRef="left" />
      <sequenceFlow id="f3" sourceRef="work" targetRef="right" />
      <userTask id="left" /><userTask id="right" />
      <sequenceFlow id="f4" sourceRef="left" targetRef="end" />
      <sequenceFlow id="f5" sourceRef="right" targetRef="end" />
      <endEvent id="end" />""")
    assert waiting_at(started(path)) == ["left", "right"]


def test_conditional_flows_of_a_start_event_are_evaluated(tmp_path: Path) -> None:
    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f2" sourceRef="start" targetRef="left">
        <conditionExpression>${side == 'left'}</conditionExpression>
      </sequenceFlow>
      <sequenceFlow id="f3" sourceRef="start" targetRef="right">
        <conditionExpression>${side == 'right'}</conditionExpression>
      </sequenceFlow>
      <userTask id="left" /><userTask id="right" />
      <sequenceFlow id="f4" sourceRef="left" targetRef="end" />
      <sequenceFlow id="f5" sourceRef="right" targetRef="end" />
      <endEvent id="end" />""")
    assert waiting_at(started(path, {"side": "right"})) == ["right"]


def test_a_subprocess_without_end_event_ends_when_its_path_ends(tmp_path: Path) -> None:
    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="sub" />
      <subProcess id="sub">
        <startEvent id="subStart" /><sequenceFlow id="s1" sourceRef="subStart" targetRef="inner" />
        <userTask id="inner" />
      </subProcess>
      <sequenceFlow id="f2" sourceRef="sub" targetRef="after" />
      <userTask id="after" /><sequenceFlow id="f3" sourceRef="after" targetRef="end" />
      <endEvent id="end" />""")
    workflow = started(path)
    [inner] = ready_user_tasks(workflow)
    inner.run()
    workflow.do_engine_steps()
    assert waiting_at(workflow) == ["after"]


def test_a_lone_conditional_flow_is_not_taken_when_false(tmp_path: Path) -> None:
    from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="work" />
      <task id="work" />
      <sequenceFlow id="f2" sourceRef="work" targetRef="after"><conditionExpression>${go}</conditionExpression>
      </sequenceFlow>
      <userTask id="after" /><sequenceFlow id="f3" sourceRef="after" targetRef="end" />
      <endEvent id="end" />""")
    assert waiting_at(started(path, {"go": True})) == ["after"]
    with pytest.raises(WorkflowTaskException, match="No conditions satisfied"):  # Camunda: no flow selectable
        started(path, {"go": False})


def test_a_cron_timer_cycle_fires_on_its_schedule(tmp_path: Path) -> None:
    from datetime import timedelta

    from engine.runtime.spiff import waiting_events

    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="review" />
      <userTask id="review" />
      <boundaryEvent id="remind" attachedToRef="review" cancelActivity="false">
        <timerEventDefinition><timeCycle>0 0/5 * * * ?</timeCycle></timerEventDefinition>
      </boundaryEvent>
      <sequenceFlow id="f2" sourceRef="remind" targetRef="note" />
      <userTask id="note" />
      <sequenceFlow id="f3" sourceRef="review" targetRef="end" />
      <sequenceFlow id="f4" sourceRef="note" targetRef="end2" />
      <endEvent id="end" /><endEvent id="end2" />""")
    workflow = started(path)
    [(_, element, _, details)] = waiting_events(workflow)
    assert (element, details.value) == ("remind", "2025-01-06T08:05:00+00:00")
    workflow.script_engine.clock.advance(timedelta(minutes=6))
    workflow.refresh_timers()
    workflow.do_engine_steps()
    assert waiting_at(workflow) == ["note", "review"]


def test_an_invalid_cron_cycle_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
      <intermediateCatchEvent id="wait">
        <timerEventDefinition><timeCycle>0 0/5 * * * ? 2030</timeCycle></timerEventDefinition>
      </intermediateCatchEvent>
      <sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
      <endEvent id="end" />""")
    assert messages(path) == [("wait", "»0 0/5 * * * ? 2030«: ein Jahr im Cron-Ausdruck wird nicht unterstützt.")]


def test_an_intermediate_timer_with_a_cycle_fires_once(tmp_path: Path) -> None:
    from datetime import timedelta

    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
      <intermediateCatchEvent id="wait">
        <timerEventDefinition><timeCycle>R3/PT10M</timeCycle></timerEventDefinition>
      </intermediateCatchEvent>
      <sequenceFlow id="f2" sourceRef="wait" targetRef="after" />
      <userTask id="after" /><sequenceFlow id="f3" sourceRef="after" targetRef="end" />
      <endEvent id="end" />""")
    workflow = started(path)
    for _ in range(3):
        workflow.script_engine.clock.advance(timedelta(minutes=11))
        workflow.refresh_timers()
        workflow.do_engine_steps()
    assert waiting_at(workflow) == ["after"]  # one path, not one per cycle


def test_a_cycle_on_a_process_start_event_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, """
      <startEvent id="start"><timerEventDefinition><timeCycle>R3/PT10M</timeCycle></timerEventDefinition></startEvent>
      <sequenceFlow id="f1" sourceRef="start" targetRef="end" />
      <endEvent id="end" />""")
    assert [element for element, _ in messages(path)] == ["start"]


def test_escalations_camunda_refuses_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="sub" />
      <subProcess id="sub">
        <startEvent id="s" /><sequenceFlow id="s1" sourceRef="s" targetRef="up" />
        <intermediateThrowEvent id="up"><escalationEventDefinition escalationRef="nocode" /></intermediateThrowEvent>
        <sequenceFlow id="s2" sourceRef="up" targetRef="e" /><endEvent id="e" />
      </subProcess>
      <boundaryEvent id="b1" attachedToRef="sub" cancelActivity="false">
        <escalationEventDefinition escalationRef="coded" /></boundaryEvent>
      <boundaryEvent id="b2" attachedToRef="sub" cancelActivity="false"><escalationEventDefinition /></boundaryEvent>
      <sequenceFlow id="f2" sourceRef="sub" targetRef="end" />
      <endEvent id="end" />""", before='<escalation id="nocode" /><escalation id="coded" escalationCode="c" />\n')
    assert [element for element, _ in messages(path)] == ["up", "b2"]


def test_call_activity_local_passing_and_literal_source_expression(tmp_path: Path) -> None:
    path = write(tmp_path, CALLER.format(mappings="""
          <camunda:inputOutput>
            <camunda:inputParameter name="mine">${a + 10}</camunda:inputParameter>
          </camunda:inputOutput>
          <camunda:in variables="all" local="true" />
          <camunda:in sourceExpression="literal" target="text" />"""), before=CALLEE)
    workflow = started(path, {"a": 1, "b": 2})
    [inner] = ready_user_tasks(workflow)
    assert visible(inner) == {"mine": 11, "text": "literal"}


def test_a_message_throw_without_message_passes_like_a_none_event(tmp_path: Path) -> None:
    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="throw" />
      <intermediateThrowEvent id="throw"><messageEventDefinition /></intermediateThrowEvent>
      <sequenceFlow id="f2" sourceRef="throw" targetRef="after" />
      <userTask id="after" /><sequenceFlow id="f3" sourceRef="after" targetRef="end" />
      <endEvent id="end" />""")
    workflow = started(path)
    assert waiting_at(workflow) == ["after"]
    assert workflow.bpmn_events == []


def test_a_multi_instance_over_a_collection_in_bpmn_spelling(tmp_path: Path) -> None:
    path = write(tmp_path, """
      <startEvent id="start" />
      <sequenceFlow id="f1" sourceRef="start" targetRef="review" />
      <userTask id="review" camunda:assignee="${assignee}">
        <multiInstanceLoopCharacteristics isSequential="false">
          <loopDataInputRef>assigneeList</loopDataInputRef><inputDataItem name="assignee" />
        </multiInstanceLoopCharacteristics>
      </userTask>
      <sequenceFlow id="f2" sourceRef="review" targetRef="end" />
      <endEvent id="end" />""")
    workflow = started(path, {"assigneeList": ["kermit", "gonzo"]})
    assert sorted(task.data["assignee"] for task in ready_user_tasks(workflow)) == ["gonzo", "kermit"]
