"""The life of a case in the workplace: intake, handover to a colleague, closing, reopening.

Each command is one transaction and in the event log; the process side (starting and ending cycles)
is the service layer's, the agenda follows here.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select, update

from engine import agenda
from engine.agenda import CaseRef
from engine.domain.agenda import CANCELLED, IN_PERSON, PLANNED, Appointment, FollowUp
from engine.domain.case import CLOSE_REASONS, Case
from engine.domain.staff import COUNSELLOR, StaffMember
from engine.runtime.errors import ConflictError, FormError
from engine.runtime.formatting import datetime_text
from engine.runtime.store import OpenTask
from engine.services import Services
from engine.workplace.commands import AccessDenied, Workplace

# A customer number (Kundennummer) of the Federal Employment Agency: three digits, a capital letter, six digits.
CUSTOMER_NUMBER = re.compile(r"^\d{3}[A-Z]\d{6}$")
FIRST_SESSION = "Erstgespräch"


class Caseload:
    """Intake, handover, closing and reopening of the cases of a person's team."""

    def __init__(self, workplace: Workplace) -> None:
        self.workplace = workplace
        self.services: Services = workplace.services

    def intake(self, member: StaffMember, customer_number: str, *, first_session: datetime,
               counsellor: str | None = None) -> int:
        """A new case in the start phase, with its first appointment (the Erstgespräch, in person)."""
        if not member.sees_cases or not member.team:
            raise AccessDenied("Neue Fälle legen Integrationsfachkräfte und Teamleitungen an.")
        number = (customer_number or "").strip().upper()
        if not CUSTOMER_NUMBER.fullmatch(number):
            raise FormError({"kundennummer": "Die Kundennummer hat drei Ziffern, einen Buchstaben und sechs Ziffern, "
                                             "z. B. 123A456789."})
        holder = self._counsellor(member, counsellor or member.username)
        with self.services.unit_of_work() as work:
            outcome = self.services.start_case(number, member.team, counsellor=holder,
                                               data={"naechsterKontaktAm": first_session.date()},
                                               actor=member.username, uow=work)
            case = CaseRef(outcome.case_id, member.team, holder)
            try:
                agenda.book(work.session, case, starts_at=first_session, kind=IN_PERSON, purpose=FIRST_SESSION,
                            with_rfb=False, actor=member.username, now=self.services.clock.now())
            except agenda.AgendaError as error:
                raise FormError({"erstgespraech": str(error)}) from error
            agenda.follow_case(work.session, self.services.engine, case.id, self.services.clock.now())
            work.commit()
        return outcome.case_id

    def hand_over(self, member: StaffMember, case_id: int, to: str, reason: str) -> None:
        """The case goes to another counsellor of the team: its future appointments, open Wiedervorlagen and the
        tasks the previous counsellor had claimed go with it. An IFK hands over the cases they hold; the team
        lead reassigns any case of the team."""
        case = self.workplace.case_for(member, case_id)
        reason = (reason or "").strip()
        if not reason or len(reason) > 500:
            raise FormError({"grund": "Bitte den Grund der Übergabe angeben (höchstens 500 Zeichen)."})
        if case.counsellor != member.username and not member.rights.leads_team:
            raise AccessDenied("Fälle von Kolleginnen und Kollegen übergibt die Teamleitung.")
        successor = self._counsellor(member, to, name_others=True)
        if successor == case.counsellor:
            raise FormError({"an": "Der Fall liegt bereits bei dieser Integrationsfachkraft."})
        with self.services.unit_of_work() as work:
            session, now = work.session, self.services.clock.now()
            found = session.get(Case, case_id, with_for_update=True)
            assert found is not None
            previous = found.counsellor
            upcoming = list(session.scalars(select(Appointment).where(
                Appointment.case_id == case_id, Appointment.status == PLANNED, Appointment.starts_at >= now)))
            for appointment in upcoming:
                try:
                    agenda.check_slot(session, successor, appointment.starts_at, appointment.minutes, now)
                except agenda.AgendaError as error:
                    raise ConflictError(f"Der Termin am {datetime_text(appointment.starts_at)} passt nicht in den "
                                        f"Kalender von {successor}: {error}") from error
                appointment.counsellor, appointment.updated_at = successor, now
            session.execute(update(FollowUp).where(FollowUp.case_id == case_id, FollowUp.done_at.is_(None))
                            .values(owner=successor))
            if previous:
                session.execute(update(OpenTask).where(OpenTask.case_id == case_id, OpenTask.assignee == previous)
                                .values(assignee=successor))
            found.counsellor, found.updated_at = successor, now
            self.services.engine.log(session, member.username, "fall_uebergeben", case_id=case_id,
                                     data={"von": previous, "an": successor, "grund": reason,
                                           "termine": len(upcoming)})
            work.commit()

    def close(self, member: StaffMember, case_id: int, reason: str) -> None:
        """The case ends (integrated, moved away, left benefits ...): its cycle ends where it stands, planned
        appointments are cancelled by the job centre, open Wiedervorlagen are done."""
        self.workplace.case_for(member, case_id)
        if reason not in CLOSE_REASONS:
            raise FormError({"grund": f"Ungültige Auswahl; erlaubt sind {', '.join(CLOSE_REASONS.values())}."})
        with self.services.unit_of_work() as work:
            session, now = work.session, self.services.clock.now()
            self.services.close_case(case_id, reason, actor=member.username, uow=work)
            session.execute(update(Appointment).where(Appointment.case_id == case_id, Appointment.status == PLANNED)
                            .values(status=CANCELLED, cancelled_by="jobcenter", updated_at=now))
            session.execute(update(FollowUp).where(FollowUp.case_id == case_id, FollowUp.done_at.is_(None))
                            .values(done_at=now, done_by=member.username))
            work.commit()

    def reopen(self, member: StaffMember, case_id: int) -> None:
        self.workplace.case_for(member, case_id)
        self.services.reopen_case(case_id, actor=member.username)

    def _counsellor(self, member: StaffMember, username: str, *, name_others: bool = False) -> str:
        """A counsellor of the member's team; only a team lead may name someone else than themselves (or
        anyone, `name_others`, when an IFK hands over a case they hold)."""
        if username != member.username and not (name_others or member.rights.leads_team):
            raise AccessDenied("Fälle für Kolleginnen und Kollegen legt die Teamleitung an oder übergibt sie.")
        colleagues = {colleague.username: colleague for colleague in self.workplace.team_members(member.team or "")}
        found = colleagues.get(username)
        if found is None or found.role != COUNSELLOR:
            raise FormError({"ifk": f"»{username}« ist keine Integrationsfachkraft im Team {member.team}."})
        return username
