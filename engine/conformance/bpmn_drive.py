"""One Camunda 7 test diagram through lint, deployment and a driver that plays every wait state.

The driver does what a Camunda test does with an instance, without knowing the test: it completes
each open user task with no data, delivers each message the instance waits for, sets the variables
the test sets (`bpmn_expectations.py`), and moves the engine clock just past the earliest due timer,
until the instance ends, nothing more can be done, or a step limit is reached. What it then sees is
sorted into one outcome:

- ``abgelehnt``: lint or deployment refused the file (a finding with element id and sentence);
- ``beendet``: every started instance ended;
- ``wartend``: an instance waits at something open (a user task, a message, a timer, a signal);
- ``fehler``: an instance stopped with an error naming the element (loud, but not as Camunda runs it);
- ``still``: silently wrong, a defect of the engine: a wait element (user task, receive task,
  message or timer catch) completed though the driver never acted on it, or an instance that waits
  with nothing open (no task, no message, no timer it could ever be moved on by).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState

from engine.conformance.bpmn_expectations import Expectation
from engine.runtime import lint
from engine.runtime.call_activity import CalledProcesses, UnknownProcessError
from engine.runtime.clock import SimulatedClock
from engine.runtime.conditional import fire_start_conditions, refresh_conditions
from engine.runtime.engine import ProcessEngine
from engine.runtime.errors import EngineError, Finding
from engine.runtime.event_subprocess import message_starts, signal_definition
from engine.runtime.fidelity import element_index, failure_in_german, ignored_event_definitions
from engine.runtime.model import BPMN_NS, Document, read_document
from engine.runtime.spiff import (
    SafeScriptEngine,
    compile_process,
    is_timer,
    new_workflow,
    ready_user_tasks,
    timer_due_from_details,
    waiting_events,
)
from engine.runtime.xmlsafe import UnsafeXmlError, parse_xml

START = datetime(2025, 1, 6, 8, tzinfo=UTC)
ACTIONS_PER_INSTANCE = 60  # tasks completed, messages delivered, timers fired
ELEMENTS_PER_INSTANCE = 3000  # elements passed in all: an endless loop without a wait state ends here

REFUSED, COMPLETED, WAITING, FAILED, SILENT = "abgelehnt", "beendet", "wartend", "fehler", "still"


@dataclass
class Outcome:
    file: str  # as listed in FILES.txt
    status: str
    element_id: str | None = None
    reason: str = ""
    waits_at: list[str] = field(default_factory=list)  # element ids of what is open at the end
    findings: list[Finding] = field(default_factory=list)

    @property
    def feature(self) -> str:
        return self.file.rsplit("/", 1)[0] if "/" in self.file else "."

    def to_json(self) -> dict[str, Any]:
        return {"datei": self.file, "ergebnis": self.status, "element": self.element_id, "grund": self.reason,
                "wartet_an": self.waits_at,
                "befunde": [{"element": f.element_id, "meldung": f.message, "zeile": f.line} for f in self.findings]}


def reason_key(message: str) -> str:
    """A refusal reason with the names in it blanked, so that equal reasons count together."""
    return re.sub(r"»[^«]*«", "»…«", " ".join(message.split()))


class _Silent(Exception):
    def __init__(self, element_id: str | None, reason: str) -> None:
        super().__init__(reason)
        self.element_id = element_id
        self.reason = reason


class _TooManySteps(Exception):
    pass


class Corpus:
    """The files of FILES.txt, read once; which file defines which process (for call activities)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = [line.strip() for line in (root / "FILES.txt").read_text(encoding="utf-8").splitlines()
                      if line.strip() and not line.startswith("#")]
        self.documents: dict[str, Document | UnsafeXmlError] = {}
        self.defines: dict[str, list[str]] = {}
        for name in self.files:
            try:
                document = read_document(parse_xml((root / name).read_bytes(), name), name)
            except UnsafeXmlError as error:
                self.documents[name] = error
                continue
            self.documents[name] = document
            for process_id, process in document.processes.items():
                if process.executable:
                    self.defines.setdefault(process_id, []).append(name)

    def companions(self, name: str, document: Document, named: tuple[str, ...] = ()) -> dict[str, Document]:
        """The files a Camunda test would deploy with this one: those its `@Deployment` names (`named`, as
        recorded in bpmn_expectations.py; a file not in the corpus is left out), and those defining the
        processes they call, preferring the same folder (transitively)."""
        found: dict[str, Document] = {}
        for other_name in named:
            other = self.documents.get(other_name)
            if isinstance(other, Document):
                found[other_name] = other
        pending = [document, *found.values()]
        while pending:
            current = pending.pop()
            for process in current.processes.values():
                named_calls = {c.name for c in process.dynamic_calls.values() if not c.is_expression}
                for called in sorted(process.calls | named_calls):
                    if any(called in d.processes for d in (document, *found.values())):
                        continue
                    candidates = self.defines.get(called, [])
                    folder = name.rsplit("/", 1)[0]
                    same = [c for c in candidates if c.rsplit("/", 1)[0] == folder] or candidates
                    if same:
                        other = self.documents[same[0]]
                        assert isinstance(other, Document)
                        found[same[0]] = other
                        pending.append(other)
        found.pop(name, None)
        return found


def examine(corpus: Corpus, name: str, expectation: Expectation | None = None) -> Outcome:
    document = corpus.documents[name]
    if isinstance(document, UnsafeXmlError):
        finding = document.finding
        return Outcome(name, REFUSED, finding.element_id, finding.message, findings=[finding])
    documents = {name: document, **corpus.companions(name, document, (expectation or Expectation()).deployed_with)}
    # No domain actions are deployed with these diagrams: an external task's topic names none (as `sro lint`
    # says for a topic the product does not know), instead of failing when the instance reaches it.
    everything = lint.check(documents, actions=())
    findings = [f for f in everything if f.file == name] or everything
    if findings:
        return Outcome(name, REFUSED, findings[0].element_id, findings[0].message, findings=findings)
    outcomes = [_drive(documents, process_id, expectation or Expectation())
                for process_id, process in document.processes.items() if process.executable]
    for status in (SILENT, FAILED, WAITING, COMPLETED):
        for element_id, reason, waits in outcomes:
            if _status(reason, waits) == status:
                return Outcome(name, status, element_id, reason.split(":", 1)[-1].strip() if reason else "",
                               waits_at=waits)
    return Outcome(name, COMPLETED)


def _status(reason: str, waits: list[str]) -> str:
    if reason.startswith(SILENT + ":"):
        return SILENT
    if reason.startswith(FAILED + ":"):
        return FAILED
    return WAITING if waits else COMPLETED


def _drive(documents: dict[str, Document], process_id: str,
           expectation: Expectation) -> tuple[str | None, str, list[str]]:
    """(element id, "status: reason" or "", element ids still open) for one instance of a process."""
    clock = SimulatedClock(START)
    script_engine = SafeScriptEngine(clock)
    bpmn = {file: document.root for file, document in documents.items()}
    acted: set[Any] = set()  # ids of the tasks the driver completed or moved on
    delivered: set[str] = set()  # message names delivered
    passed = [0]

    def completed(task: Any) -> None:
        passed[0] += 1
        if passed[0] > ELEMENTS_PER_INSTANCE:
            raise _TooManySteps
        _check_passed(task, acted, delivered, clock)

    try:
        compiled = compile_process(bpmn, process_id, {})
        dropped = _dropped_elements(documents, process_id, compiled) or ignored_event_definitions(
            (compiled.spec, *compiled.subprocess_specs.values()), element_index(bpmn))
        if dropped:
            return dropped[0], f"{SILENT}: Das Element wird nie ausgeführt, obwohl ein Sequenzfluss hinführt " \
                               f"(übergangen: {', '.join(dropped)}).", []
        workflow = new_workflow(compiled, script_engine, _DeployedTogether(documents))
        initiator = next(document.processes[process_id].initiator for document in documents.values()
                         if process_id in document.processes)
        data = dict(expectation.start)
        if initiator:  # the driver starts the instance, as a test's authenticated user would
            data[initiator] = "demo"
        workflow.task_tree.data = data
        for task in workflow.get_tasks():  # the root's data flows to the tasks already predicted
            if task.parent is not None:
                task.data = dict(data)
        _run(workflow, completed)
        for _ in range(ACTIONS_PER_INSTANCE):
            if workflow.is_completed():
                return None, "", []
            if not _act(workflow, clock, acted, delivered, completed, expectation):
                break
        if workflow.is_completed():
            return None, "", []
        waits = [*(task.task_spec.bpmn_id for task in ready_user_tasks(workflow)),
                 *(element for _, element, _, _ in waiting_events(workflow)),
                 *(element for element, _ in message_starts(workflow))]
        if not waits:
            stuck = [t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.READY | TaskState.STARTED)
                     if getattr(t.task_spec, "bpmn_id", None)]
            return (stuck[0] if stuck else process_id), f"{SILENT}: Der Prozess wartet, aber nichts ist offen " \
                                                         "(keine Aufgabe, keine Nachricht, kein Zeitereignis).", []
        return None, "", sorted(set(waits))
    except _Silent as silent:
        return silent.element_id, f"{SILENT}: {silent.reason}", []
    except _TooManySteps:
        return process_id, f"{FAILED}: mehr als {ELEMENTS_PER_INSTANCE} Schritte ohne Wartezustand.", []
    except EngineError as error:
        return getattr(error, "element_id", None), f"{FAILED}: {error}", []
    except Exception as error:  # the library's own crash is an outcome here, not a crash of the runner
        return _failing(error), f"{FAILED}: {failure_in_german(str(error))}", []


class _DeployedTogether(CalledProcesses):
    """What a call activity resolved at run time finds in the conformance run: the processes of the files
    deployed together, each in version 1 (the test's one deployment)."""

    def __init__(self, documents: dict[str, Document]) -> None:
        self.documents = documents

    def find(self, process_id: str, version: int | None, tag: str | None = None) -> tuple[int, Any]:
        if version not in (None, 1) or not any(process_id in d.processes and d.processes[process_id].executable
                                                and (tag is None or d.processes[process_id].version_tag == tag)
                                                for d in self.documents.values()):
            raise UnknownProcessError(process_id)
        return 1, compile_process({file: d.root for file, d in self.documents.items()}, process_id, {})


def _dropped_elements(documents: dict[str, Document], process_id: str, compiled: Any) -> list[str]:
    """Elements a sequence flow leads to that the executable spec does not contain: passed over for ever."""
    process = next(document.root.find(f"{{{BPMN_NS}}}process[@id='{process_id}']")
                   for document in documents.values() if process_id in document.processes)
    targets = {flow.get("targetRef") for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow")}
    present = {getattr(spec, "bpmn_id", None) for each in (compiled.spec, *compiled.subprocess_specs.values())
               for spec in each.task_specs.values()}
    return sorted(target for target in targets if target and target not in present)


def _failing(error: Exception) -> str | None:
    task = getattr(error, "task", None)
    spec = getattr(task, "task_spec", None)
    return getattr(spec, "bpmn_id", None)


def _run(workflow: Any, completed: Any) -> None:
    workflow.refresh_timers()
    refresh_conditions(workflow)
    workflow.do_engine_steps(did_complete_task=completed)
    while refresh_conditions(workflow):
        workflow.do_engine_steps(did_complete_task=completed)


def _check_passed(task: Any, acted: set[Any], delivered: set[str], clock: SimulatedClock) -> None:
    """A wait element that completed although nobody moved it on ran silently wrong."""
    spec = task.task_spec
    bpmn_id = getattr(spec, "bpmn_id", None)
    if bpmn_id is None or isinstance(spec, BoundaryEvent):
        return
    kind = type(spec).__name__
    if kind == "UserTask" and task.id not in acted:
        raise _Silent(bpmn_id, "Eine Benutzeraufgabe wurde übergangen, ohne dass sie jemand erledigt hat.")
    definition = getattr(spec, "event_definition", None)
    if definition is None or not getattr(spec, "bpmn_id", None):
        return
    if type(definition).__name__ == "MessageEventDefinition" and kind != "StartEvent" \
            and definition.name not in delivered and "Throw" not in kind and "End" not in kind \
            and "Send" not in kind:
        raise _Silent(bpmn_id, f"Das Warten auf die Nachricht »{definition.name}« wurde übergangen, ohne dass "
                               "sie zugestellt wurde.")
    if is_timer(definition):
        due = task._get_internal_data("event_value")
        if isinstance(due, str) and datetime.fromisoformat(due) > clock.now():
            raise _Silent(bpmn_id, "Ein Zeitereignis wurde vor seiner Fälligkeit übergangen.")


def _act(workflow: Any, clock: SimulatedClock, acted: set[Any], delivered: set[str],
         completed: Any, expectation: Expectation) -> bool:
    """One move of the driver; False when there is nothing it can do.

    A non-interrupting boundary timer on a task fires once before the task is completed, as the
    Camunda tests do (completing first would cancel the timer and leave its branch never taken).
    """
    for task, _element, definition, details in waiting_events(workflow):
        spec = task.task_spec
        due = timer_due_from_details(details)
        if isinstance(spec, BoundaryEvent) and not spec.cancel_activity and is_timer(definition) \
                and due is not None and task.id not in acted:
            acted.add(task.id)
            clock.set(max(clock.now(), due) + timedelta(seconds=1))
            _run(workflow, completed)
            return True
    if expectation.timers_first and _fire_earliest_timer(workflow, clock, completed):
        return True
    fired_first = sum(1 for each in acted if isinstance(each, tuple) and each[0] == "timer")
    if fired_first < expectation.timers_once and _fire_earliest_timer(workflow, clock, completed):
        acted.add(("timer", fired_first))
        return True
    if expectation.updates_first and _update_variables(workflow, acted, expectation, completed):
        return True
    ready = ready_user_tasks(workflow)
    if ready:
        task = ready[0]
        acted.add(task.id)
        task.data.update(expectation.task_data)
        task.run()
        completed(task)
        _run(workflow, completed)
        return True
    waits = waiting_events(workflow)
    for waiting, _element, definition, _details in waits:
        if type(definition).__name__ == "MessageEventDefinition":
            delivered.add(definition.name)
            waiting.data.update(expectation.message_data)  # variables the test correlates the message with
            _send(workflow, definition.name, completed)
            return True
    for _element, definition in message_starts(workflow):
        delivered.add(definition.name)
        _send(workflow, definition.name, completed)
        return True
    for _task, _element, definition, _details in waits:
        if isinstance(definition, SignalEventDefinition):  # a test sends it (signalEventReceived)
            delivered.add(definition.name)
            from SpiffWorkflow.bpmn import BpmnEvent

            workflow.send_event(BpmnEvent(signal_definition(workflow, definition.name), None))
            _run(workflow, completed)
            return True
    if _update_variables(workflow, acted, expectation, completed):
        return True
    if _evaluate_start_conditions(workflow, acted, expectation, completed):
        return True
    return _fire_earliest_timer(workflow, clock, completed)


def _evaluate_start_conditions(workflow: Any, acted: set[Any], expectation: Expectation, completed: Any) -> bool:
    """The test's next `evaluateStartConditions()` with its variables, where the instance waits at a conditional
    start (the product's `Services.evaluate_start_conditions` does the same per waiting case)."""
    done = sum(1 for each in acted if isinstance(each, tuple) and each[0] == "start_condition")
    if done >= len(expectation.start_conditions):
        return False
    acted.add(("start_condition", done))
    if fire_start_conditions(workflow, dict(expectation.start_conditions[done])):
        _run(workflow, completed)
    return True


def _update_variables(workflow: Any, acted: set[Any], expectation: Expectation, completed: Any) -> bool:
    """Set the next variables the test sets on the waiting instance (`runtimeService.setVariable`): in the
    data of every element (the engine reads the variables as they are now from the last one that
    changed), then the waiting conditional events are evaluated again."""
    done = sum(1 for each in acted if isinstance(each, tuple) and each[0] == "update")
    if done >= len(expectation.updates):
        return False
    acted.add(("update", done))
    for task in workflow.get_tasks():
        task.data.update(expectation.updates[done])
    _run(workflow, completed)
    return True


def _fire_earliest_timer(workflow: Any, clock: SimulatedClock, completed: Any) -> bool:
    dues = [due for _, _, definition, details in waiting_events(workflow) if is_timer(definition)
            and (due := timer_due_from_details(details)) is not None]
    if dues:
        clock.set(max(clock.now(), min(dues)) + timedelta(seconds=1))
        _run(workflow, completed)
        return True
    return False


def _send(workflow: Any, name: str, completed: Any) -> None:
    from SpiffWorkflow.bpmn import BpmnEvent

    from engine.runtime.event_subprocess import start_by_message

    for task in list(workflow.event_manager.tasks.values()):
        definition = task.task_spec.event_definition
        for candidate in getattr(definition, "event_definitions", None) or [definition]:
            if type(candidate).__name__ == "MessageEventDefinition" and candidate.name == name:
                workflow.send_event(BpmnEvent(candidate, {"payload": None, "result_var": name}))
                _run(workflow, completed)
                return
    for _element, definition in message_starts(workflow):
        if definition.name == name:
            start_by_message(workflow, definition, name, None, ProcessEngine.current_data(workflow))
            _run(workflow, completed)
            return
