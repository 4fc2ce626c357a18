"""The weekly figures (Wochenzahlen) of a team: sessions against 20 per VZÄ, share in person, the case load."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from engine.domain.case import ACTIVE, Case
from engine.domain.counselling import IN_PERSON, CounsellingSession
from engine.domain.staff import COUNSELLOR, SESSIONS_PER_WEEK_PER_FTE, StaffMember
from engine.runtime.clock import berlin_date, week_bounds, week_start_of
from engine.runtime.store import OpenTask, Wait
from engine.services import Services

REVIEW_TASK = "Task_PlanUeberpruefen"  # Kooperationsplan überprüfen (camunda:dueDate P14D)


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
    contact_overdue: int  # active cases past their contact interval (Kontaktdichte) as of today

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
    load: dict[str, tuple[int, int, int]] = {}
    reviews: dict[str, int] = {}
    if names:
        sessions = _sessions(session, names, week_start)
        load = _case_load(session, names, today, now)
        reviews = _overdue_reviews(session, names, now)
    rows = []
    for member in members:
        held, in_person = sessions.get(member.username, (0, 0))
        without_next_contact, open_demands, contact_overdue = load.get(member.username, (0, 0, 0))
        rows.append(CounsellorWeek(sessions=held, in_person=in_person, target=target_for(member.fte),
                            without_next_contact=without_next_contact, contact_overdue=contact_overdue,
                            overdue_reviews=reviews.get(member.username, 0), open_demands=open_demands,
                            username=member.username, display_name=member.display_name, fte=member.fte))
    total = Counts(sessions=sum(row.sessions for row in rows), in_person=sum(row.in_person for row in rows),
                   target=target_for(sum(member.fte for member in members)),
                   without_next_contact=sum(row.without_next_contact for row in rows),
                   overdue_reviews=sum(row.overdue_reviews for row in rows),
                   open_demands=sum(row.open_demands for row in rows),
                   contact_overdue=sum(row.contact_overdue for row in rows))
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


def _case_load(session: Session, names: list[str], today: date, now: datetime) -> dict[str, tuple[int, int, int]]:
    """Active cases without a next contact, open demands and cases past their contact interval, per
    counsellor (index cases(counsellor)).

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
                    func.sum(case((active, Case.open_demands), else_=0)).label("open_demands"),
                    func.sum(case((and_(active, Case.contact_due_on < today), 1), else_=0)).label("overdue"))
             .where(Case.counsellor.in_(names))
             .group_by(Case.counsellor))
    return {row.counsellor: (int(row.without_next_contact or 0), int(row.open_demands or 0), int(row.overdue or 0))
            for row in session.execute(query)}


def _overdue_reviews(session: Session, names: list[str], now: datetime) -> dict[str, int]:
    """Open plan reviews past due, per counsellor of the case (cases(counsellor), then open_tasks(case_id))."""
    query = (select(Case.counsellor, func.count(OpenTask.id).label("overdue"))
             .select_from(Case).join(OpenTask, OpenTask.case_id == Case.id)
             .where(Case.counsellor.in_(names), OpenTask.element_id == REVIEW_TASK,
                    OpenTask.due_at.is_not(None), OpenTask.due_at < now)
             .group_by(Case.counsellor))
    return {row.counsellor: int(row.overdue) for row in session.execute(query)}
