"""Read models of the agenda: today's appointments and due Wiedervorlagen for the inbox, the counsellor's
calendar with free slots, a case's appointments and contacts, and finding a case by customer number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from engine.agenda import first_free_slot
from engine.domain.agenda import MISSED, PLANNED, Appointment, Contact, FollowUp, Slot, free_slots
from engine.domain.case import ACTIVE, CLOSED, Case
from engine.domain.counselling import CounsellingSession
from engine.domain.labels import INCOMING_MESSAGES
from engine.domain.staff import SESSIONS_PER_WEEK_PER_FTE, StaffMember
from engine.domain.workdays import is_working_day, next_working_day
from engine.runtime.clock import berlin_date, day_bounds, week_bounds, week_start_of
from engine.runtime.store import Wait
from engine.services import Services

MAX_HITS = 50


@dataclass(frozen=True)
class AppointmentRow:
    id: int
    case_id: int
    customer_number: str
    starts_at: datetime
    minutes: int
    kind: str
    purpose: str
    with_rfb: bool
    status: str
    counsellor: str
    cancelled_by: str | None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)


@dataclass(frozen=True)
class FollowUpRow:
    id: int
    case_id: int
    customer_number: str
    due_on: date
    reason: str
    owner: str
    done_at: datetime | None


_APPOINTMENT_COLUMNS = (Appointment.id, Appointment.case_id, Case.customer_number, Appointment.starts_at,
                        Appointment.minutes, Appointment.kind, Appointment.purpose, Appointment.with_rfb,
                        Appointment.status, Appointment.counsellor, Appointment.cancelled_by)
_FOLLOW_UP_COLUMNS = (FollowUp.id, FollowUp.case_id, Case.customer_number, FollowUp.due_on, FollowUp.reason,
                      FollowUp.owner, FollowUp.done_at)


def _appointments(session: Session, *conditions: ColumnElement[bool]) -> list[AppointmentRow]:
    rows = session.execute(select(*_APPOINTMENT_COLUMNS).join(Case, Case.id == Appointment.case_id)
                           .where(*conditions).order_by(Appointment.starts_at, Appointment.id))
    return [AppointmentRow(*row) for row in rows]


def _follow_ups(session: Session, *conditions: ColumnElement[bool]) -> list[FollowUpRow]:
    rows = session.execute(select(*_FOLLOW_UP_COLUMNS).join(Case, Case.id == FollowUp.case_id)
                           .where(*conditions).order_by(FollowUp.due_on, FollowUp.id))
    return [FollowUpRow(*row) for row in rows]


# --------------------------------------------------------------------------- inbox


TODAY_PAGE = 50  # rows per list of »Heute«; the counts of all rows stay on the page


@dataclass(frozen=True)
class TodayPages:
    """Which page of each »Heute« list to show (from 1)."""

    appointments: int = 1
    follow_ups: int = 1
    contact_overdue: int = 1


@dataclass(frozen=True)
class Today:
    """What comes back today whatever the processes wait for: appointments and due Wiedervorlagen, each list
    paged by TODAY_PAGE rows with the number of all its rows."""

    appointments: list[AppointmentRow]
    follow_ups: list[FollowUpRow]  # due today or earlier, not done
    contact_overdue: list[OverdueCase]  # active cases past their contact interval, longest overdue first
    appointments_total: int = 0
    follow_ups_total: int = 0
    contact_overdue_total: int = 0
    pages: TodayPages = TodayPages()

    @staticmethod
    def page_count(total: int) -> int:
        return max(1, -(-total // TODAY_PAGE))

    @staticmethod
    def after_page(total: int, page: int) -> int:
        """How many rows the next page of a list shows."""
        return max(0, min(TODAY_PAGE, total - page * TODAY_PAGE))


@dataclass(frozen=True)
class OverdueCase:
    id: int
    customer_number: str
    counsellor: str | None
    contact_due_on: date | None  # never None here: the query asks for a day before today


def _page(session: Session, query: Select[*tuple[Any, ...]], page: int) -> tuple[list[tuple[Any, ...]], int]:
    """One page of `query` and (as a window, in the same statement) the number of all its rows."""
    found = session.execute(query.add_columns(func.count().over().label("total_rows"))
                            .limit(TODAY_PAGE).offset((page - 1) * TODAY_PAGE)).all()
    if found:
        return [tuple(row)[:-1] for row in found], int(found[0][-1])
    if page == 1:
        return [], 0
    return [], session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0  # past the end


def today(services: Services, member: StaffMember, mine_only: bool, pages: TodayPages = TodayPages()) -> Today:
    """Today's appointments, the Wiedervorlagen due by today and the cases past their contact interval of the
    member (or the member's team), a page of each."""
    start, end = day_bounds(services.clock.today())
    with services.reading() as session:
        who_holds = Appointment.counsellor == member.username if mine_only else Appointment.team == member.team
        who_owns = FollowUp.owner == member.username if mine_only else FollowUp.team == member.team
        whose = Case.counsellor == member.username if mine_only else Case.team == member.team
        overdue, overdue_total = _page(
            session, select(Case.id, Case.customer_number, Case.counsellor, Case.contact_due_on)
            .where(whose, Case.status == ACTIVE, Case.contact_due_on < services.clock.today())
            .order_by(Case.contact_due_on, Case.id), pages.contact_overdue)
        appointments, appointments_total = _page(
            session, select(*_APPOINTMENT_COLUMNS).join(Case, Case.id == Appointment.case_id)
            .where(who_holds, Appointment.starts_at >= start, Appointment.starts_at < end,
                   Appointment.status == PLANNED)
            .order_by(Appointment.starts_at, Appointment.id), pages.appointments)
        follow_ups, follow_ups_total = _page(
            session, select(*_FOLLOW_UP_COLUMNS).join(Case, Case.id == FollowUp.case_id)
            .where(who_owns, FollowUp.done_at.is_(None), FollowUp.due_on <= services.clock.today())
            .order_by(FollowUp.due_on, FollowUp.id), pages.follow_ups)
        return Today([AppointmentRow(*row) for row in appointments], [FollowUpRow(*row) for row in follow_ups],
                     [OverdueCase(*row) for row in overdue], appointments_total, follow_ups_total, overdue_total,
                     pages)


# --------------------------------------------------------------------------- calendar


@dataclass(frozen=True)
class CalendarDay:
    day: date
    working: bool
    appointments: list[AppointmentRow]
    free: list[Slot]


@dataclass(frozen=True)
class Calendar:
    counsellor: str
    display_name: str
    days: list[CalendarDay]
    week_start: date
    sessions_held: int  # in the week of the first day
    target: float  # 20 × VZÄ


def calendar(services: Services, counsellor: str, first: date, days: int = 1) -> Calendar:
    """A counsellor's appointments on `days` days from `first` (a day view, or a week from its Monday), free
    slots on working days from now on, and the sessions held that week against the target."""
    now = services.clock.now()
    with services.reading() as session:
        member = session.scalar(select(StaffMember).where(StaffMember.username == counsellor))
        start, _ = day_bounds(first)
        _, end = day_bounds(first + timedelta(days=days - 1))
        rows = _appointments(session, Appointment.counsellor == counsellor, Appointment.starts_at >= start,
                             Appointment.starts_at < end)
        week_begin, week_end = week_bounds(first)
        held = session.scalar(select(func.count(CounsellingSession.id)).where(
            CounsellingSession.counsellor == counsellor, CounsellingSession.held_at >= week_begin,
            CounsellingSession.held_at < week_end)) or 0
    result = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        on_day = [row for row in rows if berlin_date(row.starts_at) == day]
        taken = [(row.starts_at, row.minutes) for row in on_day if row.status == PLANNED]
        working = is_working_day(day)
        result.append(CalendarDay(day, working, on_day, free_slots(day, taken, after=now) if working else []))
    fte = member.fte if member is not None else 1.0
    return Calendar(counsellor, member.display_name if member is not None else counsellor, result,
                    week_start_of(first), held, round(SESSIONS_PER_WEEK_PER_FTE * fte, 1))


# --------------------------------------------------------------------------- case


@dataclass(frozen=True)
class ContactRow:
    at: datetime
    kind: str
    note: str
    counsellor: str


@dataclass(frozen=True)
class CaseAgenda:
    appointments: list[AppointmentRow]  # newest first
    follow_ups: list[FollowUpRow]  # open first, then done
    contacts: list[ContactRow]  # newest first
    incoming: list[str]  # events from outside the case waits for now (message names)
    contact_due_on: date | None  # by the contact density
    proposed_start: datetime | None  # a free slot on the day the density proposes (None for a closed case)
    in_person: bool  # concept 7: in person in the start phase and for clients who missed an appointment


def case_agenda(services: Services, case_id: int) -> CaseAgenda:
    now = services.clock.now()
    today_ = services.clock.today()
    with services.reading() as session:
        case = session.get(Case, case_id)
        assert case is not None
        appointments = _appointments(session, Appointment.case_id == case_id)
        appointments.reverse()
        follow_ups = _follow_ups(session, FollowUp.case_id == case_id)
        follow_ups.sort(key=lambda row: (row.done_at is not None, row.due_on))
        contacts = [ContactRow(row.at, row.kind, row.note, row.counsellor) for row in session.execute(
            select(Contact.at, Contact.kind, Contact.note, Contact.counsellor).where(Contact.case_id == case_id)
            .order_by(Contact.at.desc()))]
        waiting = set(session.scalars(select(Wait.name).where(Wait.case_id == case_id, Wait.kind == "message")))
        year_ago = now - relativedelta(months=12)
        missed = any(row.status == MISSED and row.starts_at >= year_ago for row in appointments)
        proposed = None
        if case.status != CLOSED and case.counsellor:
            day = next_working_day(max(today_, case.contact_due_on or today_))
            proposed = first_free_slot(session, case.counsellor, day, now)
    return CaseAgenda(appointments, follow_ups, contacts, [name for name in INCOMING_MESSAGES if name in waiting],
                      case.contact_due_on, proposed, case.initial_phase or missed)


# --------------------------------------------------------------------------- search


@dataclass(frozen=True)
class CaseHit:
    id: int
    customer_number: str
    counsellor: str | None
    status: str
    next_contact_on: date | None


def find_cases(services: Services, member: StaffMember, text: str) -> list[CaseHit]:
    """Cases of the member's team whose customer number starts with `text` (case-insensitive), at most MAX_HITS."""
    wanted = "".join(char for char in (text or "").strip().upper() if char.isalnum())
    if not wanted or not member.sees_cases:
        return []
    with services.reading() as session:
        rows = session.execute(select(Case.id, Case.customer_number, Case.counsellor, Case.status,
                                      Case.next_contact_on)
                               .where(Case.team == member.team, Case.customer_number.startswith(wanted))
                               .order_by(Case.customer_number).limit(MAX_HITS))
        return [CaseHit(*row) for row in rows]

