"""Runs QA scenarios on a simulated clock through the same service functions as production.

Every scenario gets its own throwaway SQLite database (a copy of one prepared with the schema and
the diagrams), so scenarios cannot disturb each other and production data is never touched.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from engine.bootstrap import bootstrap
from engine.queries import passed_elements, waiting_at
from engine.runtime.clock import BERLIN, SimulatedClock
from engine.runtime.errors import EngineError, FormError
from engine.runtime.lint import load_files
from engine.runtime.model import Document
from engine.runtime.store import OpenTask, Wait
from engine.services import Services
from engine.simulation import expectations, refusal, workday
from engine.simulation.expectations import Subject
from engine.simulation.reading import label, labels
from engine.simulation.scenario import Names, Scenario, Step, load
from engine.simulation.values import resolve_relative
from engine.simulation.yamlfile import ScenarioError, YamlFile, read_yaml

DEFAULT_START = datetime(2025, 3, 3, 8, 0, tzinfo=BERLIN)


@dataclass
class Snapshot:
    """Where a simulated case stands after its last step: for stepping through a case by hand."""

    now: datetime
    tasks: list[tuple[OpenTask, Any]]  # open task and its form (UserTaskDef)
    waits: list[Wait]
    data: dict[str, Any]
    case_id: int


@dataclass
class ScenarioResult:
    scenario: Scenario
    failures: list[str] = field(default_factory=list)
    snapshot: Snapshot | None = None
    history: list[str] = field(default_factory=list)  # elements passed, in order
    reached: set[str] = field(default_factory=set)  # passed or waited at
    sequences: list[list[str]] = field(default_factory=list)  # per instance, in order, for flow coverage

    @property
    def ok(self) -> bool:
        return not self.failures


class Simulator:
    def __init__(self, processes: Path) -> None:
        self.processes = processes
        self.documents, findings = load_files([processes])
        if findings:
            raise EngineError("Die Diagramme haben Befunde: " + "; ".join(map(str, findings)))
        self.task_names, self.element_names = names(self.documents)
        self.incidental = incidental(self.documents)
        from engine.runtime import dmn

        self.decisions = dmn.decisions_of(self.documents.values())
        self._folder = Path(tempfile.mkdtemp(prefix="sro-simulation-"))
        self._template = self._folder / "vorlage.sqlite3"
        services = bootstrap(f"sqlite:///{self._template}", clock=SimulatedClock(DEFAULT_START))
        services.deploy([processes], actor="simulation")
        workday.add_staff(services)
        services.engine.database.dispose()
        self._runs = 0

    def close(self) -> None:
        shutil.rmtree(self._folder, ignore_errors=True)

    def load(self, source: Path | YamlFile) -> Scenario:
        return load(source, self.task_names, self.element_names)

    def run(self, scenario: Scenario, snapshot: bool = False) -> ScenarioResult:
        self._runs += 1
        database_file = self._folder / f"lauf-{self._runs}.sqlite3"
        shutil.copyfile(self._template, database_file)
        clock = SimulatedClock(scenario.start or DEFAULT_START)
        services = bootstrap(f"sqlite:///{database_file}", clock=clock, migrate=False)
        result = ScenarioResult(scenario)
        try:
            today = clock.today()
            start_data = resolve_relative(dict(scenario.case_data), today)
            start_data.setdefault("naechsterKontaktAm", today.isoformat())
            case_id = services.start_case("SIM-1", workday.TEAM, counsellor=workday.CASE_COUNSELLOR,
                                          process_id=scenario.process, data=_dates(start_data),
                                          actor=workday.CASE_COUNSELLOR).case_id
            subject = Subject(services, workday.Office(services), case_id, self.element_names, self.incidental)
            self._note_waiting(services, case_id, result)
            for step in scenario.steps:
                failure = self._step(subject, clock, step)
                self._note_waiting(services, case_id, result)
                if failure:
                    if step.kind != "erwarte":  # the path is off: show where it went; later steps would only
                        path = " → ".join(label(self.element_names, element)  # repeat the error
                                          for element in _history(services, case_id)[-12:])
                        failure += f"\n    zuletzt durchlaufen: {path}"
                    result.failures.append(f"{scenario.file}:{step.line}: {failure}")
                    if step.kind != "erwarte":
                        break
            result.history = _history(services, case_id)
            result.sequences = _sequences(services, case_id)
            result.reached |= set(result.history)
            if snapshot:
                tasks = [(task, services.task_form(task.id)[1]) for task in services.open_tasks(case_id)]
                result.snapshot = Snapshot(clock.now(), tasks, services.waits(case_id),
                                           services.current_data(case_id), case_id)
        finally:
            services.engine.database.dispose()
            database_file.unlink(missing_ok=True)
        return result

    def _step(self, subject: Subject, clock: SimulatedClock, step: Step) -> str | None:
        if step.kind == "erwarte":
            return "; ".join(expectations.check(subject, dict(step.expect))) or None
        services, case_id = subject.services, subject.case_id
        before = refusal.state(services, case_id) if step.refusal is not None else None
        try:
            failure = self._act(subject, clock, step)
        except EngineError as error:
            if step.refusal is None or before is None:
                return f"Die Eingaben wurden abgelehnt: {error}" if isinstance(error, FormError) else str(error)
            changed = refusal.changes(before, refusal.state(services, case_id), self.element_names)
            wrong = refusal.mismatch(step.refusal, error)
            if changed:
                return (wrong + " " if wrong else "") + "Abgelehnt, aber verändert: " + "; ".join(changed) + "."
            return wrong
        if failure or step.refusal is None:
            return failure
        expected = step.refusal.text or "; ".join(f"{field}: {text}" for field, text in step.refusal.fields.items())
        return (f"Erwartet war die Ablehnung »{expected}«, aber der Schritt wurde ausgeführt; der Fall wartet jetzt "
                f"an: {labels(self.element_names, waiting_at(services, case_id) - self.incidental) or 'nichts'}.")

    def _act(self, subject: Subject, clock: SimulatedClock, step: Step) -> str | None:
        """Run a step that changes the case; a refusal of the product is raised, a step that does not fit returned."""
        services, case_id = subject.services, subject.case_id
        today = clock.today()
        if step.kind == "erledige":
            task = _open_task(services, case_id, step.candidates)
            if task is None:
                return (f"Erwartet wurde die offene Aufgabe »{step.target}«; offen sind: "
                        f"{labels(self.element_names, waiting_at(services, case_id)) or 'keine'}.")
            services.complete_task(task.id, resolve_relative(dict(step.data), today), actor=workday.CASE_COUNSELLOR)
        elif step.kind == "warte":
            clock.advance(step.target)
            services.fire_due_timers(limit=10_000)
        elif step.kind == "nachricht":
            services.deliver_message(case_id, step.target, resolve_relative(dict(step.data), today),
                                     actor=workday.CASE_COUNSELLOR)
        else:
            return workday.run(subject.office, clock, case_id, step.kind, dict(step.data))
        return None

    @staticmethod
    def _note_waiting(services: Services, case_id: int, result: ScenarioResult) -> None:
        result.reached |= waiting_at(services, case_id)


def incidental(documents: dict[str, Document]) -> frozenset[str]:
    """Elements a case waits at only along with something else: boundary events (with their activity), call
    activities and subprocesses under way (with what waits inside), start events of event subprocesses."""
    tags = {"boundaryEvent", "callActivity", "subProcess", "transaction", "startEvent"}
    return frozenset(element for document in documents.values() for process in document.processes.values()
                     for element, tag in process.elements.items() if tag in tags)


def names(documents: dict[str, Document]) -> tuple[Names, Names]:
    tasks: dict[str, set[str]] = defaultdict(set)
    elements: dict[str, set[str]] = defaultdict(set)
    for document in documents.values():
        for process in document.processes.values():
            for element_id, tag in process.elements.items():
                if tag == "sequenceFlow":
                    continue
                elements[element_id].add(element_id)
                if process.names.get(element_id):
                    elements[process.names[element_id]].add(element_id)
            for task in process.user_tasks.values():
                tasks[task.id].add(task.id)
                tasks[task.name].add(task.id)
    return ({key: tuple(sorted(value)) for key, value in tasks.items()},
            {key: tuple(sorted(value)) for key, value in elements.items()})


def _dates(value: Any) -> Any:
    """Start data: ISO dates become dates, also inside lists and mappings (the forms would do that)."""
    if isinstance(value, dict):
        return {key: _dates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_dates(item) for item in value]
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _open_task(services: Services, case_id: int, candidates: tuple[str, ...]) -> OpenTask | None:
    return next((task for task in services.open_tasks(case_id) if task.element_id in candidates), None)


def _history(services: Services, case_id: int) -> list[str]:
    return [element for _, element in passed_elements(services, case_id)]


def _sequences(services: Services, case_id: int) -> list[list[str]]:
    by_instance: dict[int | None, list[str]] = defaultdict(list)
    for instance, element in passed_elements(services, case_id):
        by_instance[instance].append(element)
    return list(by_instance.values())


@dataclass(frozen=True)
class QaFiles:
    """The QA files under some folders, each read once and sorted by kind."""

    scenarios: list[YamlFile]
    decision_tests: list[YamlFile]
    unreadable: list[ScenarioError]  # not YAML, too large, not readable: reported like a faulty scenario


def scenario_files(paths: list[Path]) -> QaFiles:
    """Scenario and decision-test files (a folder: every *.yaml and *.yml below it); behaviour files of the
    caseload projection are not run, so they are left out."""
    found = QaFiles([], [], [])
    for path in paths:
        for file in sorted(path.rglob("*.yaml")) + sorted(path.rglob("*.yml")) if path.is_dir() else [path]:
            try:
                read = read_yaml(file)
            except ScenarioError as error:
                found.unreadable.append(error)
                continue
            if read.kind == "entscheidung":
                found.decision_tests.append(read)
            elif read.kind == "szenario":
                found.scenarios.append(read)
    return found
