"""The baseline: the shipped model's counselling cycle in plain SpiffWorkflow, in memory, no database.

Plain SpiffWorkflow cannot run the shipped files as they are, so it runs a copy changed only where
the library needs it:
- JUEL conditions (`${a == true && !b}`) become Python, unquoted ISO durations (`P6M`) are quoted;
- DMN: `true`/`false` become Python, and each decision goes into a document of its own (the
  library's DMN parser takes one decision per file; prioritaet.dmn holds two);
- the expressions' helper functions are the engine's own (`engine.domain.actions.FUNCTIONS`), handed
  to the library's PythonScriptEngine;
- external tasks wait for a worker, as in Camunda; the baseline's worker completes them without
  doing anything, so no domain action runs (the engine runs one per session and step check);
- time: the library reads the wall clock, so letting time pass sets the stored due time of the timer
  that comes due next into the past (outside the measured time).
A step is: put the form into the task, run it, run the engine to the next wait (completing external
tasks on the way), serialize the state without the spec with the converters the engine stores it
with (`engine.runtime.state.StateSerializer`, SpiffWorkflow's own); the library's `serialize_json`
would add the whole spec, some 180 KB, to every save. No form check, projection or event log.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.util.task import TaskState

from engine.domain.actions import FUNCTIONS
from engine.domain.plan import OPEN
from engine.runtime.state import StateSerializer
from sro_benchmarks import counsellor
from sro_benchmarks.counsellor import Command

PROCESS_ID = "Beratungszyklus"
FAR = date(2100, 1, 4)  # the forms' "today": no timer of the plain run comes due by the wall clock
PAST = "2000-01-01T00:00:00+00:00"
_DMN = "{https://www.omg.org/spec/DMN/20191111/MODEL/}"


def _python(expression: str) -> str:
    """A JUEL expression of the shipped diagrams as Python."""
    expression = expression.replace("&&", " and ").replace("||", " or ")
    expression = re.sub(r"!(?!=)", " not ", expression)
    return re.sub(r"\b(true|false)\b", lambda match: match.group(1).capitalize(), expression)


def rewrite_bpmn(text: str) -> str:
    text = re.sub(r"\$\{([^}]*)\}", lambda match: _python(match.group(1)), text)
    return re.sub(r"(<bpmn:time(?:Duration|Date|Cycle)[^>]*>)(P[0-9A-Z]+)<", r"\1'\2'<", text)


def rewrite_dmn(text: str) -> list[etree._Element]:
    """One document per decision, booleans in Python."""
    text = re.sub(r"<text>(true|false)</text>", lambda match: f"<text>{match.group(1).capitalize()}</text>", text)
    root = etree.fromstring(text.encode("utf-8"))
    documents = []
    for decision in root.iter(f"{_DMN}decision"):
        copy = etree.fromstring(text.encode("utf-8"))
        for child in list(copy):
            if child.tag != f"{_DMN}decision" or child.get("id") != decision.get("id"):
                copy.remove(child)
        documents.append(copy)
    return documents


def parse(processes: Path) -> tuple[Any, dict[str, Any]]:
    """The spec of the cycle and of the processes it calls, from the rewritten copy."""
    parser = CamundaParser()
    for path in sorted(processes.glob("*.bpmn")):
        parser.add_bpmn_str(rewrite_bpmn(path.read_text(encoding="utf-8")).encode("utf-8"), path.name)
    for path in sorted(processes.glob("**/*.dmn")):
        for number, document in enumerate(rewrite_dmn(path.read_text(encoding="utf-8"))):
            parser.add_dmn_xml(document, filename=f"{path.name}#{number}")
    return parser.get_spec(PROCESS_ID), parser.get_subprocess_specs(PROCESS_ID)


def _as_engine_hands_it_on(command: Command) -> Command:
    """Plan steps numbered and open, as the engine's plan form hands them on (dates stay text)."""
    steps = command.form.get("schritte")
    if steps is None:
        return command
    return Command(command.element_id, {**command.form, "schritte": [
        {"nr": number, **step, "status": OPEN} for number, step in enumerate(steps, start=1)]})


def cycle() -> list[tuple[Command, str | None]]:
    """The cycle the benchmark steps, each command with the timer that comes due after it."""
    return [
        (counsellor.session(FAR, first=False, answers={"kooperationsbereit": True}, contact="wiedervorlage",
                            contact_in_days=30), None),
        (_as_engine_hands_it_on(counsellor.plan(FAR, [(7, None), (60, None)], term="P1M")), counsellor.STEP_DUE),
        (counsellor.step_check(1), counsellor.REVIEW_DUE),
        (counsellor.review(FAR, contact="folgetermin_praesenz", contact_in_days=14), None),
    ]


class PlainStepper:
    """Steps the cycle in plain SpiffWorkflow, one user task per call, a new workflow per cycle."""

    def __init__(self, processes: Path) -> None:
        self.spec, self.subprocess_specs = parse(processes)
        self.engine = PythonScriptEngine(environment=TaskDataEnvironment(dict(FUNCTIONS)))
        self.serializer = StateSerializer()
        self.commands: Sequence[tuple[Command, str | None]] = cycle()
        self.samples: list[float] = []
        self.state_bytes: list[int] = []
        self.completed: list[str] = []
        self._workflow: Any = None
        self._next = 0

    def step(self) -> None:
        if self._workflow is None or self._next == len(self.commands):
            self._workflow, self._next = self._new_workflow(), 0
        workflow = self._workflow
        command, due_next = self.commands[self._next]
        [task] = workflow.get_tasks(state=TaskState.READY, manual=True)
        if task.task_spec.bpmn_id != command.element_id:
            raise RuntimeError(f"Reines SpiffWorkflow wartet an {task.task_spec.bpmn_id}, "
                               f"nicht an {command.element_id}.")
        begin = time.perf_counter()
        task.data.update(command.form)
        task.run()
        workflow.refresh_timers()
        self._run_to_wait(workflow)
        state = self.serializer.dumps(workflow)
        self.samples.append(time.perf_counter() - begin)
        self.state_bytes.append(len(state.encode("utf-8")))
        self.completed.append(command.element_id)
        self._next += 1
        if due_next is not None:
            self._let_time_pass(workflow, due_next)

    def _new_workflow(self) -> Any:
        workflow = BpmnWorkflow(self.spec, self.subprocess_specs, script_engine=self.engine)
        for start in workflow.get_tasks(state=TaskState.READY):
            start.data.update(anfangsphase=False, naechsterKontaktAm=FAR.isoformat())
        self._run_to_wait(workflow)
        return workflow

    @staticmethod
    def _run_to_wait(workflow: Any) -> None:
        """Run the engine; the worker completes each external task it meets (a no-op worker)."""
        workflow.do_engine_steps()
        while external := [task for task in workflow.get_tasks(state=TaskState.STARTED)
                           if isinstance(task.task_spec, ServiceTask)]:
            for task in external:
                task.complete()
            workflow.do_engine_steps()

    def _let_time_pass(self, workflow: Any, element_id: str) -> None:
        [timer] = [task for task in workflow.get_tasks(state=TaskState.WAITING)
                   if task.task_spec.bpmn_id == element_id]
        timer.internal_data["event_value"] = PAST
        workflow.refresh_timers()
        self._run_to_wait(workflow)
