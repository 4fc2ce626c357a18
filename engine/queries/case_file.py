"""The case file: header, plan, sessions, demands and reductions, timeline, the running cycle's diagrams; and
the path and waits of a case (also for QA and the test assertions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.case import Case
from engine.domain.counselling import CounsellingSession
from engine.domain.labels import EVENTS
from engine.domain.staff import StaffMember
from engine.runtime.engine import ProcessEngine
from engine.runtime.spiff import started_elements
from engine.runtime.store import Event, OpenTask, ProcessVersion, Wait
from engine.services import Services


@dataclass
class Diagram:
    process_id: str
    name: str
    file_name: str
    xml: str
    waiting: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)


@dataclass
class CaseFile:
    case: Case
    counsellor_name: str | None
    data: dict[str, Any]
    open_tasks: list[OpenTask]
    waits: list[Wait]
    timeline: list[tuple[datetime, str, str, str | None, Any]]  # at, actor, label, element, data
    sessions: list[CounsellingSession]
    diagrams: list[Diagram]
    names: dict[str, str] = field(default_factory=dict)  # element id -> German name, of the running version

    @property
    def steps(self) -> list[dict[str, Any]]:
        steps: list[dict[str, Any]] = self.data.get("schritte") or []
        return steps

    @property
    def demands(self) -> list[dict[str, Any]]:
        demands: list[dict[str, Any]] = self.data.get("aufforderungen") or []
        return demands

    @property
    def reductions(self) -> list[dict[str, Any]]:
        reductions: list[dict[str, Any]] = self.data.get("minderungen") or []
        return reductions

    @property
    def next_contact(self) -> date | None:
        return self.case.next_contact_on


def case_file(services: Services, case_id: int, timeline_limit: int = 200) -> CaseFile:
    """Everything the case file page shows, the running cycle's diagrams with where it waits and what it passed."""
    with services.reading() as session:
        return _case_file(session, services.engine, case_id, timeline_limit)


def _case_file(session: Session, engine: ProcessEngine, case_id: int, timeline_limit: int) -> CaseFile:
    found = session.get(Case, case_id)
    assert found is not None
    counsellor = session.scalar(select(StaffMember.display_name).where(StaffMember.username == found.counsellor))
    instance = engine.running_instance(session, case_id)
    data: dict[str, Any] = engine.serializer.restore_data(found.data)
    diagrams: list[Diagram] = []
    tasks = list(session.scalars(select(OpenTask).where(OpenTask.case_id == case_id).order_by(OpenTask.created_at)))
    waits = list(session.scalars(select(Wait).where(Wait.case_id == case_id).order_by(Wait.due_at)))
    if instance is not None:
        running = engine.load(session, instance)
        data = engine.current_data(running.workflow)
        passed = _passed(session, case_id, instance.id)
        waiting = ({task.element_id for task in tasks} | {wait.element_id for wait in waits}
                   | started_elements(running.workflow))
        diagrams = _diagrams(session, engine, instance.process_version_id, waiting, passed)
    events = session.execute(select(Event.at, Event.actor, Event.kind, Event.element_id, Event.data)
                             .where(Event.case_id == case_id).order_by(Event.id.desc()).limit(timeline_limit))
    timeline = [(row.at, row.actor, EVENTS.get(row.kind, row.kind), row.element_id, row.data) for row in events]
    sessions = list(session.scalars(select(CounsellingSession).where(CounsellingSession.case_id == case_id)
                                    .order_by(CounsellingSession.held_at.desc())))
    names = {element: name for diagram in diagrams for element, name in diagram.names.items()}
    return CaseFile(found, counsellor, data, tasks, waits, timeline, sessions, diagrams, names)


def _passed(session: Session, case_id: int, instance_id: int) -> list[str]:
    passed: list[str] = []
    # by case first: the (case_id, id) index narrows the log to this case before the instance filter
    for data in session.scalars(select(Event.data).where(Event.case_id == case_id, Event.instance_id == instance_id)
                                .order_by(Event.id)):
        if isinstance(data, dict):
            passed.extend(data.get("durchlaufen", []))
    return passed


def _diagrams(session: Session, engine: ProcessEngine, version_id: int, waiting: set[str],
              passed: list[str]) -> list[Diagram]:
    version = session.get(ProcessVersion, version_id)
    assert version is not None
    result = []
    for deployment_id in [version.deployment_id, *version.requires]:
        deployment, document = engine.deployment(session, deployment_id)
        if deployment.kind != "bpmn":
            continue
        for process in document.processes.values():
            ids = set(process.elements)
            shown_waiting = sorted(waiting & ids)
            if deployment_id != version.deployment_id and not shown_waiting:
                continue  # a called process that is not under way
            result.append(Diagram(process.id, process.name, deployment.file_name, deployment.content,
                                  shown_waiting, sorted({element for element in passed if element in ids}),
                                  {element: name for element, name in process.names.items() if name}))
    return result


# --------------------------------------------------------------------------- path and waits of one case


def passed_elements(services: Services, case_id: int) -> list[tuple[int | None, str]]:
    """Every element the case passed, in order, with the instance (cycle) it passed in, from the event log
    (every command, timers included)."""
    with services.reading() as session:
        rows = session.execute(select(Event.instance_id, Event.data).where(Event.case_id == case_id)
                               .order_by(Event.id)).all()
    return [(row.instance_id, element) for row in rows if isinstance(row.data, dict)
            for element in row.data.get("durchlaufen", [])]


def waiting_at(services: Services, case_id: int) -> set[str]:
    """Where the case waits: open user tasks, timers and messages, call activities and subprocesses under way."""
    with services.reading() as session:
        found = set(session.scalars(select(OpenTask.element_id).where(OpenTask.case_id == case_id)))
        found |= set(session.scalars(select(Wait.element_id).where(Wait.case_id == case_id)))
        instance = services.engine.running_instance(session, case_id)
        if instance is not None:
            found |= started_elements(services.engine.load(session, instance).workflow)
    return found
