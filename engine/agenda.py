"""The agenda of a case inside a command's transaction: appointments booked, held and missed, Wiedervorlagen.

These functions work in the caller's session and never commit: a session form that agrees the next
contact and the appointment or Wiedervorlage it creates are one transaction (engine/services.py), as
are a booking and its checks (engine/workplace/agenda.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, func, insert, literal, select, text, union_all, update
from sqlalchemy.orm import Session

from engine.domain.agenda import (
    APPOINTMENT_CONTACTS,
    DAY_END,
    DAY_START,
    FOLLOW_UP_CONTACT,
    HELD,
    IN_PERSON,
    NEXT_CONTACT_CHOICE,
    NEXT_CONTACT_DAY,
    PLANNED,
    SLOT_MINUTES,
    Appointment,
    FollowUp,
    free_slots,
)
from engine.domain.case import Case
from engine.domain.counselling import CounsellingSession
from engine.domain.dates import latest_ahead
from engine.domain.workdays import is_working_day, next_working_day
from engine.runtime.clock import BERLIN, berlin_date, berlin_midnight, day_bounds
from engine.runtime.engine import ProcessEngine
from engine.runtime.errors import EngineError
from engine.runtime.formatting import date_text, datetime_text
from engine.runtime.model import UserTaskDef
from engine.runtime.store import OpenTask, table

SESSION_FIELD = "gespraechsart"  # a form with this field records a held counselling session
FREE_SLOT_WINDOW_DAYS = 14  # how many days of a calendar first_free_slot reads at once
# The first read covers the asked day and the two after it: that day mostly has a free slot, and each appointment
# read is a row to convert and sort into its day (about 20 a week per IFK: a fortnight some 40 rows, three days some
# 12); a day that is full still finds the next one in the same statement.
FIRST_WINDOW_DAYS = 3


_SESSIONS = table(CounsellingSession)


def _last_held(case_id: Any) -> Select[Any]:
    """When a case's last session was held (index counselling_sessions(case_id, held_at))."""
    return select(func.max(table(CounsellingSession).c.held_at)).where(table(CounsellingSession).c.case_id == case_id)


_LAST_SESSION = _last_held(bindparam("case_id"))
# The same for the case of the statement it is part of (a correlated scalar subquery on cases.id).
LAST_SESSION_OF_CASE = _last_held(table(Case).c.id).scalar_subquery()


# Prebuilt: a counsellor's completed session runs most of these (statement construction costs as much as a
# short query). Executed on the session's connection, which does not autoflush, as session.execute would not.
_TAKEN = (select(Appointment.starts_at, Appointment.minutes)
          .where(Appointment.counsellor == bindparam("counsellor"), Appointment.status == PLANNED,
                 Appointment.starts_at >= bindparam("start"), Appointment.starts_at < bindparam("end")))
_OVERLAPPING = (select(Appointment.starts_at, Appointment.minutes)
                .where(Appointment.counsellor == bindparam("counsellor"), Appointment.status == PLANNED,
                       Appointment.id != bindparam("ignore"), Appointment.starts_at < bindparam("end"),
                       Appointment.starts_at > bindparam("after")))
# A held session with, in the same round trip, the id of the case's appointment planned that day (if any). The
# INSERT binds its column names itself, so the subquery's parameters are named apart.
_RECORD_SESSION = insert(_SESSIONS).returning(
    _SESSIONS.c.id,
    select(Appointment.id).where(Appointment.case_id == bindparam("of_case"), Appointment.status == PLANNED,
                                 Appointment.starts_at >= bindparam("day_start"),
                                 Appointment.starts_at < bindparam("day_end"))
    .order_by(Appointment.starts_at).limit(1).scalar_subquery().label("planned_id"))
# The first fortnight of a counsellor's calendar (as _TAKEN, `planned` false) and, in the same round trip, the
# case's appointment planned on the agreed day, if any (`planned` true).
_TAKEN_UNLESS_PLANNED = union_all(
    _TAKEN.add_columns(literal(False).label("planned")),
    select(Appointment.starts_at, Appointment.minutes, literal(True))
    .where(Appointment.case_id == bindparam("case_id"), Appointment.status == PLANNED,
           Appointment.starts_at >= bindparam("day_start"), Appointment.starts_at < bindparam("day_end")))
_BOOK = insert(table(Appointment)).returning(table(Appointment).c.id)
_NEXT_PLANNED = (select(Appointment.starts_at)
                 .where(Appointment.case_id == bindparam("case_id"), Appointment.status == PLANNED,
                        Appointment.starts_at >= bindparam("now"))
                 .order_by(Appointment.starts_at).limit(1))
_FOLLOW = (update(table(OpenTask))
           .where(table(OpenTask).c.case_id == bindparam("of_case"),
                  table(OpenTask).c.element_id.in_(bindparam("elements", expanding=True)))
           .values(follow_up_at=bindparam("moved_to")))
_FOLLOW_IN_ONE_STATEMENT = text("""
WITH upcoming AS (
    SELECT min(starts_at) AS starts_at FROM appointments
     WHERE case_id = :of_case AND status = :planned AND starts_at >= :now)
UPDATE open_tasks
   SET follow_up_at = date_trunc('day', upcoming.starts_at AT TIME ZONE :zone) AT TIME ZONE :zone
  FROM upcoming
 WHERE upcoming.starts_at IS NOT NULL AND open_tasks.case_id = :of_case
   AND open_tasks.element_id = ANY(CAST(:elements AS varchar[]))""").bindparams(planned=PLANNED)


class AgendaError(EngineError):
    """An appointment or Wiedervorlage that cannot be made as asked; the message says why, in German."""


@dataclass(frozen=True)
class CaseRef:
    """What the agenda needs of a case."""

    id: int
    team: str
    counsellor: str | None


@dataclass(frozen=True)
class AgreedContact:
    """The next contact a form agreed: an appointment (kind) or a Wiedervorlage (kind None), on a day."""

    day: date
    kind: str | None
    with_rfb: bool


def agreed_contact(cleaned: Mapping[str, Any]) -> AgreedContact | None:
    """The next contact a completed form agrees, if it agrees one.

    `naechsterKontaktAm` is the day; `naechsterKontakt` says whether it is a Folgetermin (in person, by
    phone) or a Wiedervorlage; a form without that choice (an invitation after a missed appointment, the
    evaluation of the six-month Rückmeldung) invites to an appointment in person, with the RFB the form
    states in `einladungMitRfb`.
    """
    day = cleaned.get(NEXT_CONTACT_DAY)
    if not isinstance(day, date):
        return None
    choice = cleaned.get(NEXT_CONTACT_CHOICE)
    if choice == FOLLOW_UP_CONTACT:
        return AgreedContact(day, None, False)
    return AgreedContact(day, APPOINTMENT_CONTACTS.get(str(choice), IN_PERSON), bool(cleaned.get("einladungMitRfb")))


def first_free_slot(session: Session, counsellor: str, day: date, now: datetime) -> datetime:
    """The start of the counsellor's first free slot on `day` or, if that day is full or no working day,
    on the next working day with one (never before `now`).

    The planned appointments are read for the day and the two after it first, then a fortnight at a time (one
    statement for a counsellor whose next days are full, not one per day)."""
    found = _free_slot(session, counsellor, day, now, None)
    assert found is not None
    return found


def free_slot_unless_planned(session: Session, case_id: int, counsellor: str, day: date,
                             now: datetime) -> datetime | None:
    """As first_free_slot, or None if the case has an appointment planned on `day` already: that is read with the
    calendar's first fortnight, in one statement (a completed session asks both)."""
    return _free_slot(session, counsellor, day, now, case_id)


def _free_slot(session: Session, counsellor: str, day: date, now: datetime, case_id: int | None) -> datetime | None:
    current = next_working_day(day)
    last = latest_ahead(berlin_date(now)) + timedelta(days=31)
    first = True  # the first window's statement also asks for the case's appointment (even past `last`)
    while current <= last or (first and case_id is not None):
        window = FIRST_WINDOW_DAYS if first else FREE_SLOT_WINDOW_DAYS
        window_end = min(current + timedelta(days=window), last + timedelta(days=1))
        start, _ = day_bounds(current)
        end, _ = day_bounds(window_end)
        taken: dict[date, list[tuple[datetime, int]]] = {}
        parameters = {"counsellor": counsellor, "start": start, "end": end}
        if first and case_id is not None:
            day_start, day_end = day_bounds(day)
            rows = session.connection().execute(_TAKEN_UNLESS_PLANNED, {
                **parameters, "case_id": case_id, "day_start": day_start, "day_end": day_end}).all()
            if any(row.planned for row in rows):
                return None
        else:
            rows = session.connection().execute(_TAKEN, parameters).all()
        first = False
        for row in rows:
            taken.setdefault(berlin_date(row.starts_at), []).append((row.starts_at, row.minutes))
        while current < window_end:
            slots = free_slots(current, taken.get(current, ()), after=now)
            if slots:
                return slots[0].starts_at
            current = next_working_day(current + timedelta(days=1))
    raise AgendaError(f"Im Kalender von {counsellor} ist ab dem {date_text(day)} kein Termin frei.")


def check_slot(session: Session, counsellor: str, starts_at: datetime, minutes: int, now: datetime,
               ignore: int | None = None, *, overlap: bool = True) -> None:
    """Refuse a time that is past, too far ahead, outside the working day or taken by another appointment
    (`overlap=False`: the caller found the time free in this transaction and it is not read again)."""
    local = starts_at.astimezone(BERLIN)
    day = local.date()
    if starts_at < now:
        raise AgendaError("Ein Termin kann nicht in der Vergangenheit liegen.")
    latest = latest_ahead(berlin_date(now))
    if day > latest:
        raise AgendaError(f"Ein Termin darf höchstens ein Jahr im Voraus liegen (bis {date_text(latest)}).")
    if not is_working_day(day):
        raise AgendaError(f"Der {date_text(day)} ist kein Arbeitstag (Wochenende oder Feiertag in Niedersachsen).")
    if local.time() < DAY_START or (local + timedelta(minutes=minutes)).time() > DAY_END:
        raise AgendaError(f"Termine liegen zwischen {DAY_START:%H:%M} und {DAY_END:%H:%M} Uhr.")
    if not overlap:
        return
    end = starts_at + timedelta(minutes=minutes)
    # Appointments of one working day at most: those starting up to a day before can overlap.
    for other in session.connection().execute(_OVERLAPPING, {"counsellor": counsellor, "ignore": ignore or 0,
                                                             "end": end, "after": starts_at - timedelta(days=1)}):
        if other.starts_at + timedelta(minutes=other.minutes) > starts_at:
            raise AgendaError(f"Um {datetime_text(other.starts_at)} Uhr ist bereits ein Termin.")


def book(session: Session, case: CaseRef, *, starts_at: datetime, kind: str, purpose: str, with_rfb: bool,
         actor: str, now: datetime, counsellor: str | None = None, minutes: int = SLOT_MINUTES,
         found_free: bool = False) -> Appointment:
    """An appointment in the case's counsellor's calendar (or `counsellor`'s), checked like every booking
    (`found_free`: the time came from first_free_slot in this transaction, so its overlap is not read twice).

    Written with one INSERT on the session's connection; the appointment returned is not attached to the session
    (a completed session books one: the ORM's flush cost more than the statement)."""
    holder = counsellor or case.counsellor or actor
    check_slot(session, holder, starts_at, minutes, now, overlap=not found_free)
    values = {"case_id": case.id, "counsellor": holder, "team": case.team, "starts_at": starts_at,
              "minutes": minutes, "kind": kind, "purpose": purpose, "with_rfb": with_rfb, "status": PLANNED,
              "cancelled_by": None, "session_id": None, "created_at": now, "created_by": actor, "updated_at": now}
    appointment_id = session.connection().execute(_BOOK, values).scalar_one()
    return Appointment(id=appointment_id, **values)


def add_follow_up(session: Session, case: CaseRef, *, due_on: date, reason: str, actor: str, now: datetime,
                  owner: str | None = None) -> FollowUp:
    follow_up = FollowUp(case_id=case.id, owner=owner or case.counsellor or actor, team=case.team, due_on=due_on,
                         reason=reason, created_at=now, created_by=actor)
    session.add(follow_up)
    session.flush()
    return follow_up


def record_session(session: Session, case: CaseRef, *, kind: str, element_id: str, actor: str,
                   now: datetime) -> int:
    """A held counselling session (for the weekly figures and the contact density); the case's appointment of
    the day, if one is planned, is held by it."""
    day_start, day_end = day_bounds(berlin_date(now))
    held, planned_id = session.connection().execute(_RECORD_SESSION, {
        "case_id": case.id, "counsellor": actor, "team": case.team, "held_at": now, "kind": kind,
        "element_id": element_id, "of_case": case.id, "day_start": day_start, "day_end": day_end}).one()
    if planned_id is not None:  # the object of the session's identity map if the command holds it already
        appointment = session.get(Appointment, planned_id)
        assert appointment is not None
        appointment.status, appointment.session_id, appointment.updated_at = HELD, held, now
    return int(held)


def last_session(session: Session, case_id: int) -> date | None:
    """The day of the case's last held session (index counselling_sessions(case_id, held_at))."""
    held = session.connection().execute(_LAST_SESSION, {"case_id": case_id}).scalar()
    return None if held is None else berlin_date(held)


def keep_agreed_contact(session: Session, case: CaseRef, contact: AgreedContact, *, purpose: str, actor: str,
                        now: datetime) -> Appointment | FollowUp | None:
    """The appointment or Wiedervorlage a form agreed; none when the case has an appointment that day already."""
    if contact.kind is None:
        return add_follow_up(session, case, due_on=contact.day, reason=purpose, actor=actor, now=now)
    starts_at = free_slot_unless_planned(session, case.id, case.counsellor or actor, contact.day, now)
    if starts_at is None:
        return None
    return book(session, case, starts_at=starts_at, kind=contact.kind, purpose=purpose, with_rfb=contact.with_rfb,
                actor=actor, now=now, found_free=True)


def booking_note(contact: AgreedContact, kept: Appointment | FollowUp | None) -> str | None:
    """What the person should be told about the appointment an agreed contact became."""
    if isinstance(kept, Appointment):
        day = berlin_date(kept.starts_at)
        moved = "" if day == contact.day else f" (am {date_text(contact.day)} war kein Termin mehr frei)"
        return f"Termin am {datetime_text(kept.starts_at)} Uhr im Kalender eingetragen{moved}."
    if kept is None and contact.kind is not None:
        return f"Für den {date_text(contact.day)} ist bereits ein Termin eingetragen."
    return None


def next_planned(session: Session, case_id: int, now: datetime) -> datetime | None:
    """When the case's next planned appointment begins, as the command left its agenda (written first)."""
    session.flush()
    found: datetime | None = session.connection().execute(_NEXT_PLANNED, {"case_id": case_id, "now": now}).scalar()
    return found


def open_session_tasks(session: Session, engine: ProcessEngine, case_id: int) -> list[str]:
    """Names of the case's open tasks whose form records a held session."""
    instance = engine.running_instance(session, case_id)
    if instance is None:
        return []
    elements = session_elements(engine.process(session, instance.process_version_id).user_tasks.values())
    return list(session.scalars(select(OpenTask.name).where(OpenTask.case_id == case_id,
                                                            OpenTask.element_id.in_(sorted(elements)))))


def follow_case(session: Session, engine: ProcessEngine, case_id: int, now: datetime) -> None:
    """After the agenda of a case changed: its open session tasks follow its next appointment."""
    instance = engine.running_instance(session, case_id)
    if instance is not None:
        process = engine.process(session, instance.process_version_id)
        follow_next_appointment(session, case_id, session_elements(process.user_tasks.values()), now)


def session_elements(user_tasks: Iterable[UserTaskDef]) -> set[str]:
    """The user tasks whose form records a held counselling session."""
    return {task.id for task in user_tasks if task.field(SESSION_FIELD) is not None}


def follow_next_appointment(session: Session, case_id: int, session_elements: Collection[str],
                            now: datetime) -> None:
    """Open session tasks of the case resurface on the day of its next planned appointment (their Wiedervorlage
    moves with the appointment, as Camunda's Tasklist lets a follow-up date be set on an open task).

    On PostgreSQL one statement finds the appointment and moves the tasks (Berlin's midnight of its day computed
    by the server's time zone database); SQLite has no time zones, so there the day is found first."""
    if not session_elements:
        return
    if session.connection().dialect.name == "postgresql":
        session.flush()  # the agenda as the command left it
        session.connection().execute(_FOLLOW_IN_ONE_STATEMENT, {
            "of_case": case_id, "elements": sorted(session_elements), "now": now, "zone": BERLIN.key})
        return
    upcoming = next_planned(session, case_id, now)
    if upcoming is None:
        return
    session.connection().execute(_FOLLOW, {"of_case": case_id, "elements": sorted(session_elements),
                                           "moved_to": berlin_midnight(berlin_date(upcoming))})
