"""Read models for the workplace: the inbox and the case file. Reads only; no instance is changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from engine.domain.case import Case
from engine.domain.counselling import CounsellingSession
from engine.domain.staff import StaffMember
from engine.runtime.clock import BERLIN
from engine.runtime.engine import ProcessEngine
from engine.runtime.store import Event, OpenTask, ProcessVersion, TaskCandidate, Wait

PAGE_SIZE = 50


@dataclass(frozen=True)
class InboxFilter:
    scope: str = "team"  # mine, team
    due: str = "all"  # all, today, overdue
    follow_up_due: bool = False  # only Wiedervorlagen that have come due
    include_future: bool = False  # also tasks whose Wiedervorlage lies ahead
    priority_group: int | None = None
    page: int = 1

    @classmethod
    def from_params(cls, params: Any) -> InboxFilter:
        """From request arguments; anything unknown falls back to the default (a filter never errors)."""
        def flag(name: str) -> bool:
            return str(params.get(name, "")).lower() in {"1", "ja", "on", "true"}

        group = params.get("gruppe")
        page = params.get("seite", "1")
        return cls(
            scope=params.get("bereich") if params.get("bereich") in {"mine", "team"} else "team",
            due=params.get("faellig") if params.get("faellig") in {"all", "today", "overdue"} else "all",
            follow_up_due=flag("wiedervorlage"),
            include_future=flag("zukuenftige"),
            priority_group=int(group) if str(group).isdigit() and 1 <= int(group) <= 6 else None,
            page=max(1, int(page)) if str(page).isdigit() else 1,
        )

    def params(self) -> dict[str, str]:
        result = {"bereich": self.scope, "faellig": self.due}
        if self.follow_up_due:
            result["wiedervorlage"] = "1"
        if self.include_future:
            result["zukuenftige"] = "1"
        if self.priority_group:
            result["gruppe"] = str(self.priority_group)
        return result


@dataclass(frozen=True)
class InboxRow:
    task_id: str
    case_id: int
    customer_number: str
    task_name: str
    priority_group: int | None
    due_at: datetime | None
    follow_up_at: datetime | None
    contact_kind: str | None
    mode: str | None
    assignee: str | None
    overdue: bool


def inbox(session: Session, member: StaffMember, wanted: InboxFilter, now: datetime) -> tuple[list[InboxRow], int]:
    """The tasks this person may work on, filtered and ordered on the server: overdue first, then
    priority group, then due date. Tasks whose Wiedervorlage lies ahead stay hidden unless asked for."""
    overdue = and_(OpenTask.due_at.is_not(None), OpenTask.due_at < now)
    in_my_groups = exists().where(TaskCandidate.task_id == OpenTask.id, TaskCandidate.kind == "group",
                                  TaskCandidate.name.in_(sorted(member.groups)))
    conditions: list[Any] = [Case.team == member.team,
                             or_(OpenTask.assignee == member.username, OpenTask.assignee.is_not(None), in_my_groups)]
    if wanted.scope == "mine":
        conditions.append(or_(OpenTask.assignee == member.username,
                              and_(OpenTask.assignee.is_(None), Case.counsellor == member.username)))
    if wanted.due == "overdue":
        conditions.append(overdue)
    elif wanted.due == "today":
        start, end = _day_bounds(now)
        conditions.append(and_(OpenTask.due_at >= start, OpenTask.due_at < end))
    if wanted.follow_up_due:
        conditions.append(and_(OpenTask.follow_up_at.is_not(None), OpenTask.follow_up_at <= now))
    elif not wanted.include_future:
        conditions.append(or_(OpenTask.follow_up_at.is_(None), OpenTask.follow_up_at <= now))
    if wanted.priority_group:
        conditions.append(Case.priority_group == wanted.priority_group)
    # One statement: the page and (as a window) the number of all matching tasks.
    query = (
        select(OpenTask.id, OpenTask.case_id, Case.customer_number, OpenTask.name, Case.priority_group,
               OpenTask.due_at, OpenTask.follow_up_at, Case.next_contact_kind, Case.mode, OpenTask.assignee,
               case((overdue, 1), else_=0).label("overdue"), func.count().over().label("total"))
        .join(Case, Case.id == OpenTask.case_id).where(*conditions)
        .order_by(case((overdue, 0), else_=1), Case.priority_group.is_(None), Case.priority_group,
                  OpenTask.due_at.is_(None), OpenTask.due_at, OpenTask.id)
        .limit(PAGE_SIZE).offset((wanted.page - 1) * PAGE_SIZE)
    )
    found = session.execute(query).all()
    rows = [InboxRow(row.id, row.case_id, row.customer_number, row.name, row.priority_group, row.due_at,
                     row.follow_up_at, row.next_contact_kind, row.mode, row.assignee, bool(row.overdue))
            for row in found]
    if found:
        return rows, int(found[0].total)
    base = select(OpenTask.id).join(Case, Case.id == OpenTask.case_id).where(*conditions)  # a page past the end
    return rows, session.scalar(select(func.count()).select_from(base.subquery())) or 0


def _day_bounds(now: datetime) -> tuple[datetime, datetime]:
    day = now.astimezone(BERLIN).date()
    start = datetime.combine(day, time(0, 0), BERLIN)
    return start, datetime.combine(day + timedelta(days=1), time(0, 0), BERLIN)


# --------------------------------------------------------------------------- case file

EVENT_LABELS = {
    "fall_angelegt": "Fall angelegt",
    "zyklus_gestartet": "Beratungszyklus begonnen",
    "zyklus_beendet": "Beratungszyklus beendet",
    "aufgabe_erledigt": "Aufgabe erledigt",
    "frist_abgelaufen": "Frist oder Wiedervorlage erreicht",
    "nachricht_zugestellt": "Nachricht eingegangen",
    "aufgabe_uebernommen": "Aufgabe übernommen",
    "aufgabe_freigegeben": "Aufgabe freigegeben",
    "fallakte_angesehen": "Fallakte angesehen",
    "zugriff_verweigert": "Zugriff verweigert",
}


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


def case_file(session: Session, engine: ProcessEngine, case_id: int, timeline_limit: int = 200) -> CaseFile:
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
        waiting = {task.element_id for task in tasks} | {wait.element_id for wait in waits} | _started(running.workflow)
        diagrams = _diagrams(session, engine, instance.process_version_id, waiting, passed)
    events = session.execute(select(Event.at, Event.actor, Event.kind, Event.element_id, Event.data)
                             .where(Event.case_id == case_id).order_by(Event.id.desc()).limit(timeline_limit))
    timeline = [(row.at, row.actor, EVENT_LABELS.get(row.kind, row.kind), row.element_id, row.data) for row in events]
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


def _started(workflow: Any) -> set[str]:
    """Call activities and subprocesses under way (their inner tasks are shown in their own diagram)."""
    from SpiffWorkflow.util.task import TaskState

    return {task.task_spec.bpmn_id for task in workflow.get_tasks(state=TaskState.STARTED)
            if getattr(task.task_spec, "bpmn_id", None)}


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
