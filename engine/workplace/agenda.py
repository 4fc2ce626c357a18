"""The counsellor's agenda commands: book, move and cancel appointments, record a missed one, Wiedervorlagen,
other contacts, incoming events. One transaction each; every command is in the event log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import agenda
from engine.agenda import AgendaError, CaseRef
from engine.domain import rfb
from engine.domain.agenda import (
    APPOINTMENT_CONTACTS,
    APPOINTMENT_KINDS,
    CANCELLED,
    CANCELLED_BY,
    CONTACT_KINDS,
    FOLLOW_UP_CONTACT,
    MISSED,
    NEXT_CONTACT_CHOICE,
    NEXT_CONTACT_DAY,
    PLANNED,
    SLOT_MINUTES,
    Appointment,
    Contact,
    FollowUp,
)
from engine.domain.case import Case, contact_due
from engine.domain.counselling import SESSION_KINDS
from engine.domain.dates import ahead_problem, date_problems
from engine.domain.labels import INCOMING_MESSAGES
from engine.domain.staff import StaffMember
from engine.runtime.clock import berlin_date
from engine.runtime.errors import ConflictError, FormError, NotFoundError
from engine.runtime.formatting import date_text
from engine.runtime.store import Event
from engine.services import Services
from engine.unit_of_work import Outcome, UnitOfWork
from engine.workplace.commands import AccessDenied, Workplace

T = TypeVar("T")
SENT = "schreiben_versandt"  # the event of a letter recorded as sent (engine.workplace.letters)
MISSED_APPOINTMENT = "Meldeversaeumnis"  # the message the process hears when an appointment is missed


def invitation_rfb_missing(session: Session, case_id: int, appointment_id: int) -> list[str] | None:
    """What the RFB of the invitation letter recorded as sent for this appointment lacks (all of it for a letter
    without RFB); None when no invitation letter was recorded as sent, and the counsellor's check decides."""
    sent = session.scalars(select(Event.data).where(Event.case_id == case_id, Event.kind == SENT)
                           .order_by(Event.id.desc()))
    for data in sent:
        if isinstance(data, dict) and data.get("art") == "einladung" and data.get("nr") == appointment_id:
            letter = data.get("daten") or {}
            return rfb.missing(letter.get("rfb")) if letter.get("mitRfb") else list(rfb.ELEMENTS)
    return None


class Agenda:
    """Appointments, Wiedervorlagen and contacts of the cases a person may work on."""

    def __init__(self, workplace: Workplace) -> None:
        self.workplace = workplace
        self.services: Services = workplace.services

    # ------------------------------------------------------------------ appointments

    def book(self, member: StaffMember, case_id: int, *, starts_at: datetime, kind: str, purpose: str,
             with_rfb: bool, counsellor: str | None = None, minutes: int = SLOT_MINUTES) -> int:
        """A new appointment with the case's client in the case counsellor's calendar (a team lead may book
        it for another counsellor of the team)."""
        case = self.workplace.case_for(member, case_id)
        self._check_kind(kind)
        purpose = _text(purpose, "zweck", "Bitte den Zweck des Termins angeben.", 500)
        holder = self._holder(member, case, counsellor)
        with self.services.unit_of_work() as work:
            now = self.services.clock.now()
            appointment = self._booked(work, lambda: agenda.book(
                work.session, CaseRef(case.id, case.team, case.counsellor), starts_at=starts_at, kind=kind,
                purpose=purpose, with_rfb=with_rfb, actor=member.username, now=now, counsellor=holder,
                minutes=minutes))
            self._log(work, member, "termin_vereinbart", appointment)
            self._follow(work.session, case_id)
            self.services.note_case_changed(work.session, case_id, member.username)  # its invitation letter
            work.commit()
            return appointment.id

    def move(self, member: StaffMember, appointment_id: int, starts_at: datetime) -> None:
        with self.services.unit_of_work() as work:
            appointment = self._planned(work, member, appointment_id)
            now = self.services.clock.now()
            self._booked(work, lambda: agenda.check_slot(work.session, appointment.counsellor, starts_at,
                                                         appointment.minutes, now, ignore=appointment.id))
            before = appointment.starts_at
            appointment.starts_at, appointment.updated_at = starts_at, now
            self._log(work, member, "termin_verschoben", appointment, vorher=before.isoformat())
            self._follow(work.session, appointment.case_id)
            self.services.note_case_changed(work.session, appointment.case_id, member.username)  # a new invitation
            work.commit()

    def cancel(self, member: StaffMember, appointment_id: int, by: str) -> None:
        if by not in CANCELLED_BY:
            raise FormError({"abgesagtVon": "Bitte angeben, wer den Termin abgesagt hat (eLb oder Jobcenter)."})
        with self.services.unit_of_work() as work:
            appointment = self._planned(work, member, appointment_id)
            appointment.status, appointment.cancelled_by = CANCELLED, by
            appointment.updated_at = self.services.clock.now()
            self._log(work, member, "termin_abgesagt", appointment, von=by)
            work.commit()

    def record_missed(self, member: StaffMember, appointment_id: int) -> Outcome:
        """The client did not come: the appointment is missed and the case's process hears of it (the
        Meldeversäumnis path), in one transaction; if the process cannot take it, nothing is saved."""
        with self.services.unit_of_work() as work:
            appointment = self._planned(work, member, appointment_id)
            now = self.services.clock.now()
            if appointment.starts_at > now:
                raise ConflictError("Ein Termin, der noch bevorsteht, kann nicht als versäumt erfasst werden.")
            appointment.status, appointment.updated_at = MISSED, now
            self._log(work, member, "termin_versaeumt", appointment)
            outcome = self.services.deliver_message(
                appointment.case_id, MISSED_APPOINTMENT,
                {"terminAm": berlin_date(appointment.starts_at), "einladungMitRfb": appointment.with_rfb,
                 "terminId": appointment.id,
                 "einladungRfbFehlt": invitation_rfb_missing(work.session, appointment.case_id, appointment.id)},
                actor=member.username, uow=work)
            work.commit()
        return outcome

    def hold(self, member: StaffMember, appointment_id: int, *, kind: str, note: str,
             next_contact: str | None = None, next_day: date | None = None) -> None:
        """The appointment took place as a counselling session outside a session task (e.g. while a plan runs):
        the session counts (weekly figures, contact density) and the next contact is agreed as in a session
        form. When the case's process waits for a session, the session is recorded in its task instead."""
        if kind not in SESSION_KINDS:
            raise FormError({"gespraechsart": "Bitte »in Präsenz« oder »telefonisch« wählen."})
        note = _text(note, "notiz", "Bitte festhalten, was besprochen wurde.", 4000)
        cleaned: dict[str, object] = {}
        if next_day is not None:
            cleaned = {NEXT_CONTACT_DAY: next_day, NEXT_CONTACT_CHOICE: next_contact}
            problems = date_problems(cleaned, self.services.clock.today())
            if next_contact not in (*APPOINTMENT_CONTACTS, FOLLOW_UP_CONTACT):
                problems[NEXT_CONTACT_CHOICE] = "Bitte Folgetermin oder Wiedervorlage wählen."
            if problems:
                raise FormError(problems)
        with self.services.unit_of_work() as work:
            appointment = self._planned(work, member, appointment_id)
            session, now = work.session, self.services.clock.now()
            if berlin_date(appointment.starts_at) != berlin_date(now):
                raise ConflictError("Ein Gespräch wird am Tag des Termins erfasst.")
            session_tasks = agenda.open_session_tasks(session, self.services.engine, appointment.case_id)
            if session_tasks:
                raise ConflictError(f"Für den Fall ist die Aufgabe »{session_tasks[0]}« offen; bitte das Gespräch "
                                    "dort erfassen.")
            case = session.get(Case, appointment.case_id, with_for_update=True)
            assert case is not None
            ref = CaseRef(case.id, case.team, case.counsellor)
            agenda.record_session(session, ref, kind=kind, element_id="", actor=member.username, now=now)
            case.contact_due_on = contact_due(berlin_date(now), case.contact_interval_days)
            contact = agenda.agreed_contact(cleaned)
            if contact is not None:
                self._booked(work, lambda: agenda.keep_agreed_contact(
                    session, ref, contact, actor=member.username, now=now,
                    purpose=f"{'Wiedervorlage' if contact.kind is None else 'Termin'} aus dem Gespräch vom "
                            f"{date_text(now)}"))
            self._log(work, member, "gespraech_gefuehrt", appointment, gespraechsart=kind, notiz=note)
            self._follow(session, case.id)
            work.commit()

    # ------------------------------------------------------------------ Wiedervorlagen and contacts

    def add_follow_up(self, member: StaffMember, case_id: int, *, due_on: date, reason: str,
                      owner: str | None = None) -> int:
        case = self.workplace.case_for(member, case_id)
        reason = _text(reason, "grund", "Bitte den Grund der Wiedervorlage angeben.", 500)
        problem = ahead_problem(due_on, self.services.clock.today(), "Die Wiedervorlage")
        if problem is not None:
            raise FormError({"wiedervorlageAm": problem})
        with self.services.unit_of_work() as work:
            follow_up = agenda.add_follow_up(
                work.session, CaseRef(case.id, case.team, case.counsellor), due_on=due_on, reason=reason,
                actor=member.username, now=self.services.clock.now(), owner=self._holder(member, case, owner))
            self.services.engine.log(work.session, member.username, "wiedervorlage_angelegt", case_id=case_id,
                                     data={"am": due_on.isoformat(), "grund": reason, "fuer": follow_up.owner})
            work.commit()
            return follow_up.id

    def follow_up_done(self, member: StaffMember, follow_up_id: int) -> None:
        with self.services.unit_of_work() as work:
            follow_up = work.session.get(FollowUp, follow_up_id, with_for_update=True)
            if follow_up is None:
                raise NotFoundError("Diese Wiedervorlage gibt es nicht.")
            self._may_work_on(member, follow_up.team)
            if follow_up.done_at is not None:
                raise ConflictError("Diese Wiedervorlage ist bereits erledigt.")
            follow_up.done_at, follow_up.done_by = self.services.clock.now(), member.username
            self.services.engine.log(work.session, member.username, "wiedervorlage_erledigt",
                                     case_id=follow_up.case_id, data={"am": follow_up.due_on.isoformat(),
                                                                      "grund": follow_up.reason})
            work.commit()

    def record_contact(self, member: StaffMember, case_id: int, *, kind: str, note: str) -> int:
        """A contact that is no counselling session (e-mail, letter, a call): kept, never counted as a session."""
        self.workplace.case_for(member, case_id)
        if kind not in CONTACT_KINDS:
            raise FormError({"art": f"Ungültige Auswahl; erlaubt sind {', '.join(CONTACT_KINDS.values())}."})
        note = _text(note, "notiz", "Bitte festhalten, worum es ging.", 4000)
        with self.services.unit_of_work() as work:
            contact = Contact(case_id=case_id, at=self.services.clock.now(), kind=kind, note=note,
                              counsellor=member.username)
            work.session.add(contact)
            work.session.flush()
            self.services.engine.log(work.session, member.username, "kontakt_erfasst", case_id=case_id,
                                     data={"art": kind})
            work.commit()
            return contact.id

    def record_incoming(self, member: StaffMember, case_id: int, message: str) -> Outcome:
        """An event from outside that the case waits for (proof received, statement received, conciliation
        ended); a missed appointment is recorded on its appointment instead."""
        self.workplace.case_for(member, case_id)
        if message not in INCOMING_MESSAGES:
            raise FormError({"ereignis": f"Ungültige Auswahl; erlaubt sind {', '.join(INCOMING_MESSAGES.values())}."})
        return self.services.deliver_message(case_id, message, {}, actor=member.username)

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _check_kind(kind: str) -> None:
        if kind not in APPOINTMENT_KINDS:
            raise FormError({"art": f"Ungültige Auswahl; erlaubt sind {', '.join(APPOINTMENT_KINDS.values())}."})

    def _holder(self, member: StaffMember, case: Case, wanted: str | None) -> str:
        """Whose calendar: the case counsellor's by default; another counsellor of the team only for a team lead."""
        holder = wanted or case.counsellor or member.username
        if holder not in (member.username, case.counsellor) and not member.rights.leads_team:
            raise AccessDenied("Termine und Wiedervorlagen für Kolleginnen und Kollegen legt die Teamleitung an.")
        if holder != member.username and holder not in {colleague.username for colleague
                                                         in self.workplace.team_members(case.team)}:
            raise FormError({"ifk": f"»{holder}« gehört nicht zum Team des Falls."})
        return holder

    def _may_work_on(self, member: StaffMember, team: str) -> None:
        if not member.sees_cases or member.team != team:
            raise AccessDenied("Dieser Fall gehört nicht zu Ihrem Team.")

    def _planned(self, work: UnitOfWork, member: StaffMember, appointment_id: int) -> Appointment:
        appointment = work.session.get(Appointment, appointment_id, with_for_update=True)
        if appointment is None:
            raise NotFoundError("Diesen Termin gibt es nicht.")
        self._may_work_on(member, appointment.team)
        if appointment.status != PLANNED:
            raise ConflictError("Dieser Termin ist nicht mehr geplant (bereits wahrgenommen, versäumt oder abgesagt).")
        return appointment

    @staticmethod
    def _booked(work: UnitOfWork, action: Callable[[], T]) -> T:
        """Run a booking step; a slot that cannot be taken is a form error on the start field."""
        try:
            return action()
        except AgendaError as error:
            raise FormError({"beginn": str(error)}) from error

    def _log(self, work: UnitOfWork, member: StaffMember, kind: str, appointment: Appointment, **extra: str) -> None:
        self.services.engine.log(work.session, member.username, kind, case_id=appointment.case_id, data={
            "termin": appointment.id, "beginn": appointment.starts_at.isoformat(), "art": appointment.kind,
            "ifk": appointment.counsellor, "zweck": appointment.purpose, "mitRfb": appointment.with_rfb, **extra})

    def _follow(self, session: Session, case_id: int) -> None:
        agenda.follow_case(session, self.services.engine, case_id, self.services.clock.now())


def _text(value: str, field: str, missing: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise FormError({field: missing})
    if len(text) > limit:
        raise FormError({field: f"Höchstens {limit} Zeichen."})
    return text
