"""The demo's counsellors keep a calendar: every session of the demo caseload is an appointment.

The caseload driver (engine/simulation/projection/driver.py) decides when a task is worked; for the demo,
a session (Erstgespräch, Beratungsgespräch, the review of a plan) is worked at the time of the case's
appointment that day, booked through the workplace's agenda (engine/workplace/agenda.py) like a counsellor
books it: the Folgetermin a session form agreed, or else the first free slot on the day the driver chose.
A client who stays away is recorded as a missed appointment (the Meldeversäumnis path), a client who
cancels in time gets the appointment cancelled and a new one booked. So the calendar of every demo IFK has
held, missed and cancelled appointments in the past and planned ones ahead, all on working days within
08:00-16:00, and the sessions of a week fill about 20 slots per full-time IFK.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from engine.agenda import first_free_slot, open_session_tasks
from engine.domain.actions import deadline_end
from engine.domain.agenda import BY_PHONE, FOLLOW_UP_CONTACT, IN_PERSON, PLANNED, Appointment, FollowUp
from engine.domain.case import Case
from engine.domain.staff import StaffMember
from engine.runtime.clock import BERLIN, berlin_date, day_bounds
from engine.runtime.errors import EngineError
from engine.runtime.store import OpenTask
from engine.simulation.projection.answers import MISSED, POSTPONED, REVIEW, SESSION_TASKS, WORK, working_day_near
from engine.simulation.projection.driver import CaseloadDriver, Client
from engine.workplace.agenda import Agenda
from engine.workplace.commands import Workplace

SESSIONS = SESSION_TASKS | {REVIEW}
FIRST_SESSION = "Task_Erstgespraech"
SESSION = "Task_Beratungsgespraech"
# A session held while the process waits elsewhere (a plan runs, the six-month exception) agrees the next
# contact by the contact density: a Folgetermin this often, else a Wiedervorlage.
FOLLOW_ON_APPOINTMENT = 0.8
FOLLOW_UPS_LOOKED_AT = time(8, 30)  # the counsellor goes through the day's Wiedervorlagen first thing
CONTACT_AFTER_FOLLOW_UP = 0.3  # a Wiedervorlage done by an e-mail, letter or call
CONTACTS = (("email", "Nachweise per E-Mail angefordert"), ("brief", "Erinnerung an den nächsten Schritt verschickt"),
            ("telefon", "Kurze Rückfrage zum Stand der Schritte"))
INVITE_WITHIN = 21
INVITATION_DAYS = (5, 14)
PURPOSES = {FIRST_SESSION: "Erstgespräch", "Task_Beratungsgespraech": "Beratungsgespräch",
            REVIEW: "Überprüfung des Kooperationsplans"}


class CalendarDriver(CaseloadDriver):
    """The caseload driver whose sessions are appointments in the counsellors' calendars."""

    def __init__(self, *args: Any, workplace: Workplace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agenda = Agenda(workplace)
        self.workplace = workplace
        self.staff: dict[str, StaffMember] = {}

    def member(self, username: str) -> StaffMember:
        if username not in self.staff:
            member = self.workplace.member(username)
            if member is None:
                raise LookupError(f"Das Demo-Konto {username} fehlt.")
            self.staff[username] = member
        return self.staff[username]

    # ------------------------------------------------------------------ when the case is looked at

    def schedule(self, client: Client, when: datetime) -> None:
        """Also at the case's next appointment and on the day of its next open Wiedervorlage."""
        if client.case_id:
            now = self.clock.now()
            with self.database.engine.connect() as session:  # a plain read
                upcoming = session.scalar(select(func.min(Appointment.starts_at)).where(
                    Appointment.case_id == client.case_id, Appointment.status == PLANNED,
                    Appointment.starts_at > now))
                due = session.scalar(select(func.min(FollowUp.due_on)).where(
                    FollowUp.case_id == client.case_id, FollowUp.done_at.is_(None)))
            if upcoming is not None:
                when = min(when, upcoming)
            if due is not None:
                when = min(when, max(now + timedelta(minutes=1),
                                     datetime.combine(deadline_end(due), FOLLOW_UPS_LOOKED_AT, BERLIN)))
        super().schedule(client, when)

    def look(self, client: Client) -> None:
        if client.case_id and not client.stopped:
            try:
                self.follow_ups_done(client)
                self.keep_appointment(client)
            except EngineError as error:  # reported like the driver reports an odd case
                client.stopped = True
                self.counts.problems.append((client.index, f"{client.who.number} am {self.today}: {error}"))
                return
        super().look(client)

    def follow_ups_done(self, client: Client) -> None:
        """The case's Wiedervorlagen due by today are looked at and done, some with a contact."""
        with self.database.engine.connect() as session:  # a plain read
            due = list(session.scalars(select(FollowUp.id).where(
                FollowUp.case_id == client.case_id, FollowUp.done_at.is_(None), FollowUp.due_on <= self.today)))
        if not due:
            return
        member, rng = self.member(client.who.counsellor), client.notes.rng
        for follow_up in due:
            self.agenda.follow_up_done(member, follow_up)
            self.counts.commands += 1
            if rng.random() < CONTACT_AFTER_FOLLOW_UP:
                kind, note = CONTACTS[rng.randrange(len(CONTACTS))]
                self.agenda.record_contact(member, client.case_id, kind=kind, note=note)
                self.counts.commands += 1
        self.invite(client)

    def invite(self, client: Client) -> None:
        """After a Wiedervorlage: a case due for contact by its density within INVITE_WITHIN days, with no
        appointment ahead and no session task open, is invited (booked one to two weeks ahead)."""
        now = self.clock.now()
        with self.services.reading() as session:
            due_on = session.scalar(select(Case.contact_due_on).where(Case.id == client.case_id))
            ahead = session.scalar(select(func.count(Appointment.id)).where(
                Appointment.case_id == client.case_id, Appointment.status == PLANNED, Appointment.starts_at > now))
            if (due_on is None or due_on > self.today + timedelta(days=INVITE_WITHIN) or ahead
                    or open_session_tasks(session, self.services.engine, client.case_id)):
                return
        day = max(due_on, self.today + timedelta(days=client.notes.rng.randint(*INVITATION_DAYS)))
        self.appointment(client, SESSION, working_day_near(client.notes.rng, day, self.today))

    def keep_appointment(self, client: Client) -> None:
        """An appointment that has begun while no session task is open: held as a session (the next contact
        agreed by the contact density), missed, or cancelled by the client and booked anew."""
        appointment = self.today_planned(client)
        if appointment is None:
            return
        with self.services.reading() as session:
            if open_session_tasks(session, self.services.engine, client.case_id):
                # the session task records it, at this appointment: one booked after the task was planned
                # (a re-invitation after a missed appointment) comes before the one the task was planned for
                sessions = set(session.scalars(select(OpenTask.id).where(OpenTask.case_id == client.case_id,
                                                                         OpenTask.element_id.in_(SESSIONS))))
                now = self.clock.now()
                for task_id in sessions & client.planned.keys():
                    when, what = client.planned[task_id]
                    client.planned[task_id] = min(when, now), what
                return
            kind = session.scalar(select(Appointment.kind).where(Appointment.id == appointment))
        member, notes = self.member(client.who.counsellor), client.notes
        attendance = self.counsellor.attendance(notes, SESSION)
        if attendance == WORK:
            interval, contact = notes.density
            follow_on = notes.rng.random() < FOLLOW_ON_APPOINTMENT
            self.agenda.hold(member, appointment, kind=BY_PHONE if kind == BY_PHONE else IN_PERSON,
                             note=self.counsellor.text(notes.rng, "notizen"),
                             next_contact=self.counsellor.next_kind(notes, contact) if follow_on else FOLLOW_UP_CONTACT,
                             next_day=working_day_near(notes.rng, self.today + timedelta(days=interval), self.today))
        elif attendance == MISSED:
            try:
                self.agenda.record_missed(member, appointment)
                notes.missed_on = self.today
            except EngineError:  # the process cannot hear of it now: the appointment is called off
                self.agenda.cancel(member, appointment, "elb")
        else:
            self.agenda.cancel(member, appointment, "elb")
            day, _ = self.counsellor.postponed(notes, SESSION, self.today)
            self.appointment(client, SESSION, day)
        self.counts.commands += 1

    # ------------------------------------------------------------------ sessions are appointments

    def plan_task(self, client: Client, element: str, created: datetime,
                  follow_up: datetime | None) -> tuple[datetime, str]:
        when, what = super().plan_task(client, element, created, follow_up)
        if element not in SESSIONS:
            return when, what
        return self.appointment(client, element, berlin_date(when)), what

    def appointment(self, client: Client, element: str, day: date) -> datetime:
        """The start of the case's next planned appointment (a Folgetermin agreed earlier is kept), or of one
        booked now in the counsellor's first free slot from `day` on."""
        now = self.clock.now()
        with self.services.reading() as session:
            planned = session.scalar(select(Appointment.starts_at).where(
                Appointment.case_id == client.case_id, Appointment.status == PLANNED,
                Appointment.starts_at >= now).order_by(Appointment.starts_at).limit(1))
            if planned is not None:
                return planned
            starts_at = first_free_slot(session, client.who.counsellor, day, now)
        notes = client.notes
        first = element == FIRST_SESSION
        kind = IN_PERSON if first or notes.next_kind != "folgetermin_telefon" else BY_PHONE
        self.agenda.book(self.member(client.who.counsellor), client.case_id, starts_at=starts_at, kind=kind,
                         purpose=PURPOSES.get(element, "Beratungsgespräch"),
                         with_rfb=not first and notes.rng.random() < notes.kind.p("einladung_mit_rfb"))
        self.counts.commands += 1
        return starts_at

    def today_planned(self, client: Client) -> int | None:
        """The case's planned appointment of today that has begun, if any."""
        now = self.clock.now()
        start, _ = day_bounds(berlin_date(now))
        with self.database.engine.connect() as session:  # a plain read
            return session.scalar(select(Appointment.id).where(
                Appointment.case_id == client.case_id, Appointment.status == PLANNED,
                Appointment.starts_at >= start, Appointment.starts_at <= now)
                .order_by(Appointment.starts_at.desc()).limit(1))

    def act(self, client: Client, task_id: str, element: str) -> None:
        what = client.planned[task_id][1]
        appointment = self.today_planned(client) if element in SESSIONS else None
        if appointment is None or what not in (MISSED, POSTPONED):
            super().act(client, task_id, element)
            return
        member, notes = self.member(client.who.counsellor), client.notes
        if what == MISSED:
            client.planned.pop(task_id)
            notes.missed_on = self.today
            self.agenda.record_missed(member, appointment)
        else:  # cancelled in time by the client: a new appointment in one to two weeks
            self.agenda.cancel(member, appointment, "elb")
            day, attendance = self.counsellor.postponed(notes, element, self.today)
            client.planned[task_id] = self.appointment(client, element, day), attendance
        self.counts.commands += 1

