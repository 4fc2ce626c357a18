"""Read models for acting on appointments: one appointment with what may be done with it (move, cancel, record
it held or missed), and what a new appointment for a case is proposed as (the day by the contact density, in
person where the concept wants it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import exists, select

from engine.agenda import AgendaError, first_free_slot, session_elements
from engine.domain.agenda import BY_PHONE, IN_PERSON, MISSED, PLANNED, Appointment, Slot, free_slots
from engine.domain.case import CLOSED, Case
from engine.queries.agenda import AppointmentRow
from engine.runtime.clock import berlin_date, day_bounds
from engine.runtime.store import OpenTask
from engine.services import Services

NOT_COOPERATIVE = "nicht_kooperationsbereit"  # Case.mode_reason of a client marked not cooperative


@dataclass(frozen=True)
class AppointmentPage:
    appointment: AppointmentRow
    case_closed: bool
    session_tasks: list[tuple[str, str]]  # (task id, name): open tasks of the case that record a held session
    free_that_day: list[Slot]  # the holder's other free slots on its day (to move it within the day)
    contact_interval_days: int | None  # the case's contact density, for the next contact agreed when held

    @property
    def planned(self) -> bool:
        return self.appointment.status == PLANNED


def appointment_page(services: Services, appointment_id: int) -> AppointmentPage | None:
    """One appointment as its page shows it, or None if there is no such appointment."""
    now = services.clock.now()
    with services.reading() as session:
        found = session.execute(select(
            Appointment.id, Appointment.case_id, Case.customer_number, Appointment.starts_at, Appointment.minutes,
            Appointment.kind, Appointment.purpose, Appointment.with_rfb, Appointment.status, Appointment.counsellor,
            Appointment.cancelled_by).join(Case, Case.id == Appointment.case_id)
            .where(Appointment.id == appointment_id)).one_or_none()
        if found is None:
            return None
        row = AppointmentRow(*found)
        status, interval = session.execute(select(Case.status, Case.contact_interval_days)
                                           .where(Case.id == row.case_id)).one()
        tasks: list[tuple[str, str]] = []
        instance = services.engine.running_instance(session, row.case_id)
        if instance is not None:
            elements = session_elements(services.engine.process(session, instance.process_version_id)
                                        .user_tasks.values())
            tasks = [(task_id, name) for task_id, name in session.execute(
                select(OpenTask.id, OpenTask.name).where(OpenTask.case_id == row.case_id,
                                                         OpenTask.element_id.in_(sorted(elements)))
                .order_by(OpenTask.created_at))]
        day = berlin_date(row.starts_at)
        start, end = day_bounds(day)
        taken = session.execute(select(Appointment.starts_at, Appointment.minutes).where(
            Appointment.counsellor == row.counsellor, Appointment.status == PLANNED,
            Appointment.starts_at >= start, Appointment.starts_at < end, Appointment.id != row.id)).all()
    free = [slot for slot in free_slots(day, [(moment, minutes) for moment, minutes in taken], after=now)
            if slot.starts_at != row.starts_at]  # its own time is no move
    return AppointmentPage(row, status == CLOSED, tasks, free, interval)


# --------------------------------------------------------------------------- booking for a case


@dataclass(frozen=True)
class BookingProposal:
    """What the booking form of a case opens with."""

    starts_at: datetime | None  # the first free slot from the day the contact density proposes (None: closed)
    kind: str  # APPOINTMENT_KINDS: in person where the concept wants it, else as last agreed
    in_person_because: str | None  # German: why in person is preselected (concept 7), or None


def in_person_reason(initial_phase: bool, mode_reason: str | None, missed_recently: bool) -> str | None:
    """Concept section 7: in the start phase of the working alliance and with clients thought unreliable (not
    cooperative, or who missed an appointment in the last twelve months) sessions are held in person."""
    if initial_phase:
        return "Anfangsphase"
    if mode_reason == NOT_COOPERATIVE:
        return "nicht kooperationsbereit"
    if missed_recently:
        return "Termin in den letzten zwölf Monaten versäumt"
    return None


def booking_proposal(services: Services, case_id: int) -> BookingProposal:
    now, today = services.clock.now(), services.clock.today()
    with services.reading() as session:
        case = session.get(Case, case_id)
        assert case is not None
        missed = bool(session.scalar(select(exists().where(
            Appointment.case_id == case_id, Appointment.status == MISSED,
            Appointment.starts_at >= now - relativedelta(months=12)))))
        starts_at = None
        if case.status != CLOSED and case.counsellor:
            try:
                starts_at = first_free_slot(session, case.counsellor, max(today, case.contact_due_on or today), now)
            except AgendaError:
                starts_at = None  # the calendar is full for more than a year: the form starts empty
        reason = in_person_reason(case.initial_phase, case.mode_reason, missed)
        kind = IN_PERSON if reason or case.next_contact_kind != "folgetermin_telefon" else BY_PHONE
    return BookingProposal(starts_at, kind, reason)
