"""Read models of the workplace: the inbox, the case file, the weekly figures, the process overview.

Reads only: each function opens a read-only session of its own (never a unit of work) and returns
plain values for a page; no instance is changed. Views and the benchmarks call these functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from engine.domain.case import ACTIVE, Case
from engine.domain.counselling import IN_PERSON, CounsellingSession
from engine.domain.labels import EVENTS
from engine.domain.staff import COUNSELLOR, SESSIONS_PER_WEEK_PER_FTE, StaffMember
from engine.runtime.clock import berlin_date, day_bounds, week_bounds, week_start_of
from engine.runtime.engine import ProcessEngine
from engine.runtime.spiff import started_elements
from engine.runtime.store import Event, OpenTask, ProcessVersion, TaskCandidate, Wait
from engine.services import Services

PAGE_SIZE = 50
REVIEW_TASK = "Task_PlanUeberpruefen"  # Kooperationsplan überprüfen (camunda:dueDate P14D)

# --------------------------------------------------------------------------- inbox


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


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    total: int  # tasks matching the filter on all pages
    now: datetime

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def inbox(services: Services, member: StaffMember, wanted: InboxFilter, now: datetime | None = None) -> InboxPage:
    """The tasks this person may work on, filtered and ordered on the server: overdue first, then
    priority group, then due date. Tasks whose Wiedervorlage lies ahead stay hidden unless asked for."""
    now = now or services.clock.now()
    with services.reading() as session:
        rows, total = _inbox(session, member, wanted, now)
    return InboxPage(rows, total, now)


def _inbox(session: Session, member: StaffMember, wanted: InboxFilter, now: datetime) -> tuple[list[InboxRow], int]:
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
        start, end = day_bounds(berlin_date(now))
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



# --------------------------------------------------------------------------- case file


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


# --------------------------------------------------------------------------- weekly figures


def target_for(fte: float) -> float:
    """Sessions a week expected from `fte` full-time equivalents, to one decimal."""
    return round(SESSIONS_PER_WEEK_PER_FTE * fte, 1)


@dataclass(frozen=True)
class Counts:
    """The figures of one IFK or of the whole team."""

    sessions: int  # held in the week
    in_person: int  # of which in person (Präsenz)
    target: float  # 20 × VZÄ
    without_next_contact: int  # active cases with no next contact, or one before today
    overdue_reviews: int  # open "Kooperationsplan überprüfen" tasks past their due time
    open_demands: int  # open demands with legal consequences (Aufforderungen) in active cases

    @property
    def by_phone(self) -> int:
        return self.sessions - self.in_person

    @property
    def share_in_person(self) -> float | None:
        """Share of sessions held in person, 0.0-1.0; None in a week without sessions."""
        return self.in_person / self.sessions if self.sessions else None

    @property
    def target_reached(self) -> bool:
        return self.sessions >= self.target


@dataclass(frozen=True)
class CounsellorWeek(Counts):
    username: str
    display_name: str
    fte: float


@dataclass(frozen=True)
class TeamWeek:
    team: str
    week_start: date  # Monday
    today: date  # in Berlin, the day the case-load figures refer to
    rows: list[CounsellorWeek]  # the team's IFK, by display name
    total: Counts

    @property
    def week_end(self) -> date:
        """The Sunday."""
        return self.week_start + timedelta(days=6)

    @property
    def calendar_week(self) -> tuple[int, int]:
        """ISO year and week number (Kalenderwoche)."""
        iso = self.week_start.isocalendar()
        return iso.year, iso.week

    @property
    def previous_week(self) -> date:
        return self.week_start - timedelta(days=7)

    @property
    def next_week(self) -> date:
        return self.week_start + timedelta(days=7)

    @property
    def is_current(self) -> bool:
        return self.week_start == week_start_of(self.today)

    def row_of(self, username: str) -> CounsellorWeek | None:
        return next((row for row in self.rows if row.username == username), None)


def weekly_figures(services: Services, team: str, day: date, now: datetime | None = None) -> TeamWeek:
    """The figures of the week `day` lies in, of every active IFK in `team` and the team's total (the sum
    of the rows); the case-load figures as they stand at `now` (default: the clock's now).

    Concept section 7: at least 20 held sessions a week per full-time equivalent (VZÄ), in person
    preferred. Everything is counted in the database with GROUP BY over the team's IFK (four
    statements, whatever the number of cases); no case or session is loaded. The statements are
    served by the indexes counselling_sessions(counsellor, held_at), cases(counsellor) and
    open_tasks(case_id).
    """
    with services.reading() as session:
        return _weekly_figures(session, team, week_start_of(day), now or services.clock.now())


def _weekly_figures(session: Session, team: str, week_start: date, now: datetime) -> TeamWeek:
    today = berlin_date(now)
    members = session.execute(
        select(StaffMember.username, StaffMember.display_name, StaffMember.fte)
        .where(StaffMember.team == team, StaffMember.role == COUNSELLOR, StaffMember.active.is_(True))
        .order_by(StaffMember.display_name, StaffMember.username)).all()
    names = [member.username for member in members]
    sessions: dict[str, tuple[int, int]] = {}
    load: dict[str, tuple[int, int]] = {}
    reviews: dict[str, int] = {}
    if names:
        sessions = _sessions(session, names, week_start)
        load = _case_load(session, names, today, now)
        reviews = _overdue_reviews(session, names, now)
    rows = []
    for member in members:
        held, in_person = sessions.get(member.username, (0, 0))
        without_next_contact, open_demands = load.get(member.username, (0, 0))
        rows.append(CounsellorWeek(sessions=held, in_person=in_person, target=target_for(member.fte),
                            without_next_contact=without_next_contact,
                            overdue_reviews=reviews.get(member.username, 0), open_demands=open_demands,
                            username=member.username, display_name=member.display_name, fte=member.fte))
    total = Counts(sessions=sum(row.sessions for row in rows), in_person=sum(row.in_person for row in rows),
                   target=target_for(sum(member.fte for member in members)),
                   without_next_contact=sum(row.without_next_contact for row in rows),
                   overdue_reviews=sum(row.overdue_reviews for row in rows),
                   open_demands=sum(row.open_demands for row in rows))
    return TeamWeek(team=team, week_start=week_start, today=today, rows=rows, total=total)


def _sessions(session: Session, names: list[str], week_start: date) -> dict[str, tuple[int, int]]:
    """Held and in-person sessions per counsellor in the week (index counselling_sessions(counsellor, held_at))."""
    start, end = week_bounds(week_start)
    query = (select(CounsellingSession.counsellor, func.count().label("held"),
                    func.sum(case((CounsellingSession.kind == IN_PERSON, 1), else_=0)).label("in_person"))
             .where(CounsellingSession.counsellor.in_(names), CounsellingSession.held_at >= start,
                    CounsellingSession.held_at < end)
             .group_by(CounsellingSession.counsellor))
    return {row.counsellor: (int(row.held), int(row.in_person or 0)) for row in session.execute(query)}


def _case_load(session: Session, names: list[str], today: date, now: datetime) -> dict[str, tuple[int, int]]:
    """Active cases without a next contact and open demands, per counsellor (index cases(counsellor)).

    Without a next contact means: no agreed date (Folgetermin or Wiedervorlage) from today on and no
    date the process has scheduled (a pending timer: step check, review, six-month report). The
    agreed date alone would go stale while a plan runs and its step check is still ahead. An open
    task whose date has passed still counts: the contact it stands for has not taken place.
    """
    active = Case.status == ACTIVE
    scheduled = exists().where(Wait.case_id == Case.id, Wait.kind == "timer", Wait.due_at >= now)
    no_next_contact = and_(active, or_(Case.next_contact_on.is_(None), Case.next_contact_on < today), ~scheduled)
    query = (select(Case.counsellor,
                    func.sum(case((no_next_contact, 1), else_=0)).label("without_next_contact"),
                    func.sum(case((active, Case.open_demands), else_=0)).label("open_demands"))
             .where(Case.counsellor.in_(names))
             .group_by(Case.counsellor))
    return {row.counsellor: (int(row.without_next_contact or 0), int(row.open_demands or 0))
            for row in session.execute(query)}


def _overdue_reviews(session: Session, names: list[str], now: datetime) -> dict[str, int]:
    """Open plan reviews past due, per counsellor of the case (cases(counsellor), then open_tasks(case_id))."""
    query = (select(Case.counsellor, func.count(OpenTask.id).label("overdue"))
             .select_from(Case).join(OpenTask, OpenTask.case_id == Case.id)
             .where(Case.counsellor.in_(names), OpenTask.element_id == REVIEW_TASK,
                    OpenTask.due_at.is_not(None), OpenTask.due_at < now)
             .group_by(Case.counsellor))
    return {row.counsellor: int(row.overdue) for row in session.execute(query)}


# --------------------------------------------------------------------------- processes


@dataclass(frozen=True)
class ProcessOverview:
    versions: list[ProcessVersion]  # newest version of each process first
    cases: int


def process_overview(services: Services) -> ProcessOverview:
    """Deployed processes and their versions, and how many cases there are (the start page without case data)."""
    with services.reading() as session:
        versions = list(session.scalars(select(ProcessVersion).order_by(ProcessVersion.process_id,
                                                                        ProcessVersion.version.desc())))
        return ProcessOverview(versions, session.scalar(select(func.count(Case.id))) or 0)
