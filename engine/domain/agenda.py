"""Appointments (Termine), Wiedervorlagen and other contacts: the organisational red thread of a case.

Concept section 6: every session ends with a follow-up appointment or a Wiedervorlage, and both are
managed "möglichst lückenlos". They are rows of their own, not fields inside a process state, so each
surfaces on its day whatever the process of the case waits for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.runtime.clock import BERLIN
from engine.runtime.store import Base, UtcDateTime

# How an appointment takes place; the session it becomes records its own Gesprächsart (Präsenz or Telefon).
IN_PERSON, BY_PHONE, BY_VIDEO = "praesenz", "telefon", "video"
APPOINTMENT_KINDS = {IN_PERSON: "in Präsenz", BY_PHONE: "telefonisch", BY_VIDEO: "per Video"}
PLANNED, HELD, MISSED, CANCELLED = "geplant", "wahrgenommen", "versaeumt", "abgesagt"
APPOINTMENT_STATUSES = {PLANNED: "geplant", HELD: "wahrgenommen", MISSED: "versäumt", CANCELLED: "abgesagt"}
CANCELLED_BY = {"elb": "von der eLb abgesagt", "jobcenter": "vom Jobcenter abgesagt"}
# What the field "Nächster Kontakt" of a session form agrees (the enum values of the diagrams); a form that
# sets `naechsterKontaktAm` without that choice invites to an appointment in person.
APPOINTMENT_CONTACTS = {"folgetermin_praesenz": IN_PERSON, "folgetermin_telefon": BY_PHONE}
FOLLOW_UP_CONTACT = "wiedervorlage"
NEXT_CONTACT_DAY, NEXT_CONTACT_CHOICE = "naechsterKontaktAm", "naechsterKontakt"

# Other contacts: kept in the case file, never counted as a session (concept section 7).
CONTACT_KINDS = {"email": "E-Mail", "brief": "Brief", "telefon": "Telefonat ohne Beratungsgespräch",
                 "sonstiges": "Sonstiger Kontakt"}

# The counsellor's working day as the calendar offers it: slots from 08:00, the last one starting 15:15.
DAY_START, DAY_END = time(8, 0), time(16, 0)
SLOT_MINUTES = 45
# How far ahead a date a person enters may lie (a next contact, a deadline, a plan step): a year.
FURTHEST_AHEAD_MONTHS = 12


class Appointment(Base):
    """A Termin with a client: when, how, why, who holds it, whether the invitation carried an RFB."""

    __tablename__ = "appointments"
    __table_args__ = (Index("ix_appointments_counsellor_start", "counsellor", "starts_at"),
                      Index("ix_appointments_case_start", "case_id", "starts_at"),
                      Index("ix_appointments_team_start", "team", "starts_at"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    counsellor: Mapped[str] = mapped_column(String(80))  # the IFK who holds it
    team: Mapped[str] = mapped_column(String(80))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    minutes: Mapped[int] = mapped_column(Integer, default=SLOT_MINUTES)
    kind: Mapped[str] = mapped_column(String(16))  # APPOINTMENT_KINDS
    purpose: Mapped[str] = mapped_column(String(500))
    with_rfb: Mapped[bool] = mapped_column(Boolean, default=False)  # invitation with Rechtsfolgenbelehrung
    status: Mapped[str] = mapped_column(String(16), default=PLANNED)  # APPOINTMENT_STATUSES
    cancelled_by: Mapped[str | None] = mapped_column(String(16), nullable=True)  # CANCELLED_BY
    session_id: Mapped[int | None] = mapped_column(ForeignKey("counselling_sessions.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)


class FollowUp(Base):
    """A Wiedervorlage: on its day the case comes back to its owner, whatever the process waits for."""

    __tablename__ = "follow_ups"
    __table_args__ = (Index("ix_follow_ups_owner_due", "owner", "due_on"),
                      Index("ix_follow_ups_team_due", "team", "due_on"),
                      Index("ix_follow_ups_case", "case_id"),
                      # the open ones only, for the inbox's »Heute« (migration 0007)
                      Index("ix_follow_ups_open_owner_due", "owner", "due_on", sqlite_where=text("done_at IS NULL"),
                            postgresql_where=text("done_at IS NULL")),
                      Index("ix_follow_ups_open_team_due", "team", "due_on", sqlite_where=text("done_at IS NULL"),
                            postgresql_where=text("done_at IS NULL")))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    owner: Mapped[str] = mapped_column(String(80))
    team: Mapped[str] = mapped_column(String(80))
    due_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(80))
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    done_by: Mapped[str | None] = mapped_column(String(80), nullable=True)


class Contact(Base):
    """A contact that is not a counselling session (e-mail, letter, a phone call without a session)."""

    __tablename__ = "contacts"
    __table_args__ = (Index("ix_contacts_case_at", "case_id", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    kind: Mapped[str] = mapped_column(String(16))  # CONTACT_KINDS
    note: Mapped[str] = mapped_column(String(4000))
    counsellor: Mapped[str] = mapped_column(String(80))


# --------------------------------------------------------------------------- the working day


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    minutes: int


def day_slots(day: date) -> list[Slot]:
    """The slots of a working day in Berlin time (the calendar's grid)."""
    return [slot for slot, _, _ in _grid(day)]


@lru_cache(maxsize=1024)
def _grid(day: date) -> tuple[tuple[Slot, float, float], ...]:
    """A day's slots with their start and end as POSIX timestamps, made once per day (a booked contact looks at
    several days of the grid). The overlap test compares timestamps: comparing aware datetimes of different time
    zones (the grid's Berlin, the database's UTC) converts both on every comparison, which made the free-slot
    search a tenth of a completed session's work. Equal moments give equal timestamps (each is computed from the
    moment itself), so back-to-back appointments do not overlap."""
    slots = []
    moment = datetime.combine(day, DAY_START, BERLIN)
    end = datetime.combine(day, DAY_END, BERLIN)
    while moment + timedelta(minutes=SLOT_MINUTES) <= end:
        slots.append((Slot(moment, SLOT_MINUTES), moment.timestamp(),
                      (moment + timedelta(minutes=SLOT_MINUTES)).timestamp()))
        moment += timedelta(minutes=SLOT_MINUTES)
    return tuple(slots)


def free_slots(day: date, taken: Iterable[tuple[datetime, int]], after: datetime | None = None) -> list[Slot]:
    """The slots of `day` that overlap no appointment in `taken` (start, minutes) and start after `after`."""
    busy = []
    for start, minutes in taken:
        if start.tzinfo is None:  # timestamp() would read it as the server's local time
            raise ValueError("naive datetime refused: appointment times are timezone-aware")
        busy.append((start.timestamp(), (start + timedelta(minutes=minutes)).timestamp()))
    if after is not None and after.tzinfo is None:
        raise ValueError("naive datetime refused: appointment times are timezone-aware")
    earliest = after.timestamp() if after is not None else None
    return [slot for slot, begin, end in _grid(day)
            if (earliest is None or begin >= earliest)
            and all(end <= taken_from or begin >= taken_to for taken_from, taken_to in busy)]


def proposed_contact_day(last_session: date | None, interval_days: int | None, today: date) -> date:
    """When the next contact is due by the case's contact density: the last session plus the interval,
    never before today (a case past its interval is due now)."""
    if interval_days is None:
        return today
    base = last_session or today
    return max(today, base + timedelta(days=interval_days))
