"""The workplace steps of a scenario (appointments, Wiedervorlagen, contacts, handover, closing, reopening): read
from the file with file and line, run through the same workplace commands as the web pages, by the simulation's
staff."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from engine.domain.agenda import (
    APPOINTMENT_CONTACTS,
    APPOINTMENT_KINDS,
    CANCELLED_BY,
    CONTACT_KINDS,
    DAY_START,
    FOLLOW_UP_CONTACT,
    IN_PERSON,
    PLANNED,
)
from engine.domain.case import CLOSE_REASONS
from engine.domain.counselling import SESSION_KINDS
from engine.domain.labels import INCOMING_MESSAGES
from engine.domain.staff import COUNSELLOR, TEAM_LEAD, StaffMember
from engine.queries.agenda import AppointmentRow, calendar, case_agenda
from engine.runtime.clock import BERLIN, SimulatedClock, berlin_date
from engine.runtime.formatting import date_text, datetime_text
from engine.services import Services
from engine.simulation import reading
from engine.simulation.values import day_of
from engine.simulation.yamlfile import Path_, ScenarioError, YamlFile
from engine.workplace.agenda import Agenda
from engine.workplace.cases import Caseload
from engine.workplace.commands import Workplace

# The simulation's team: the case belongs to `qa`; `vertretung` takes it over; `teamleitung` hands it over.
TEAM = "simulation"
CASE_COUNSELLOR, COLLEAGUE, TEAM_LEAD_NAME = "qa", "vertretung", "teamleitung"
STAFF = {CASE_COUNSELLOR: ("QA-Fachkraft", COUNSELLOR), COLLEAGUE: ("Vertretung", COUNSELLOR),
         TEAM_LEAD_NAME: ("Teamleitung", TEAM_LEAD)}


@dataclass(frozen=True)
class Field:
    kind: str  # day, time, text, flag, choice
    required: bool = False
    choices: tuple[str, ...] = ()


_DAY, _TIME, _TEXT, _FLAG = Field("day"), Field("time"), Field("text", True), Field("flag")
STEPS: dict[str, dict[str, Field]] = {
    "termin": {"am": Field("day", True), "um": _TIME, "art": Field("choice", choices=tuple(APPOINTMENT_KINDS)),
               "zweck": _TEXT, "rfb": _FLAG},
    "termin_versaeumt": {"am": _DAY, "um": _TIME},
    "termin_wahrgenommen": {"am": _DAY, "um": _TIME,
                            "gespraechsart": Field("choice", choices=tuple(sorted(SESSION_KINDS))), "notiz": _TEXT,
                            "naechsterKontakt": Field("choice", choices=(*APPOINTMENT_CONTACTS, FOLLOW_UP_CONTACT)),
                            "naechsterKontaktAm": _DAY},
    "termin_absagen": {"am": Field("day", True), "um": _TIME, "von": Field("choice", True, tuple(CANCELLED_BY))},
    "wiedervorlage": {"am": Field("day", True), "grund": _TEXT},
    "wiedervorlage_erledigt": {"am": _DAY},
    "kontakt": {"art": Field("choice", True, tuple(CONTACT_KINDS)), "notiz": _TEXT},
    "uebergabe": {"an": Field("choice", True, tuple(STAFF)), "grund": _TEXT},
    "schliessen": {"grund": Field("choice", True, tuple(CLOSE_REASONS))},
    "wiedereroeffnen": {},
    "ereignis": {},  # the name of the event, not a mapping
}
EXAMPLES = {
    "termin": "termin: {am: heute+7, um: \"10:00\", art: praesenz, zweck: Folgegespräch, rfb: ja}",
    "termin_versaeumt": "termin_versaeumt: {am: heute}",
    "termin_wahrgenommen": "termin_wahrgenommen: {am: heute, gespraechsart: praesenz, notiz: Stand besprochen}",
    "termin_absagen": "termin_absagen: {am: heute+7, von: elb}",
    "wiedervorlage": "wiedervorlage: {am: heute+14, grund: Unterlagen prüfen}",
    "wiedervorlage_erledigt": "wiedervorlage_erledigt: {am: heute}",
    "kontakt": "kontakt: {art: email, notiz: Unterlagen erhalten}",
    "uebergabe": "uebergabe: {an: vertretung, grund: Urlaubsvertretung}",
    "schliessen": "schliessen: {grund: integriert}",
    "wiedereroeffnen": "wiedereroeffnen:",
    "ereignis": "ereignis: NachweisEingegangen",
}


def add_staff(services: Services) -> None:
    """The simulation's staff, once in the template database (hashing a password takes a while)."""
    workplace = Workplace(services)
    password = secrets.token_urlsafe(16)  # nobody ever signs in to a throwaway database
    for username, (display_name, role) in STAFF.items():
        workplace.add_staff(username, display_name, role, password, team=TEAM, actor="simulation")


# --------------------------------------------------------------------------- loading


def load(read: YamlFile, where: Path_, kind: str, value: Any, refused: bool) -> dict[str, Any]:
    """The inputs of a workplace step, checked. With `abgelehnt` (refused) required inputs may be missing and
    choices may be anything: what the product makes of them is what the step tests."""
    here = (*where, kind)
    if kind == "ereignis":
        if refused:
            return {"ereignis": reading.text(read, value, here, kind)}
        return {"ereignis": reading.choice(read, value, here, kind, INCOMING_MESSAGES)}
    fields = STEPS[kind]
    if value is None and not any(field.required for field in fields.values()):
        return {}
    given = reading.mapping(read, value, here, kind, EXAMPLES[kind])
    if kind == "wiedereroeffnen" and given:
        raise read.error("»wiedereroeffnen« hat keine Angaben; bitte nur »- wiedereroeffnen:« schreiben.", *here)
    reading.refuse_unknown(read, given, list(fields), here)
    data: dict[str, Any] = {}
    for key, field in fields.items():
        if key not in given:
            if field.required and not refused:
                raise ScenarioError(read.file, read.key_line(*here), f"»{kind}« braucht »{key}«, z. B. "
                                                                     f"»{EXAMPLES[kind]}«.")
            continue
        data[key] = _value(read, field, given[key], (*here, key), key, refused)
    if "naechsterKontakt" in data and "naechsterKontaktAm" not in data and not refused:
        raise read.error("»naechsterKontakt« braucht den Tag »naechsterKontaktAm«.", *here, "naechsterKontakt")
    return data


def _value(read: YamlFile, field: Field, value: Any, where: Path_, key: str, refused: bool) -> Any:
    if field.kind == "day":
        return reading.day(read, value, where, key)
    if field.kind == "time":
        return reading.clock_time(read, value, where, key)
    if field.kind == "flag":
        return reading.flag(read, value, where, key)
    if field.kind == "choice" and not refused:
        return reading.choice(read, value, where, key, field.choices)
    return reading.text(read, value, where, key)


# --------------------------------------------------------------------------- running


class Office:
    """The workplace of one simulated run: its commands and the simulation's staff as signed-in members."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.workplace = Workplace(services)
        self.agenda = Agenda(self.workplace)
        self.caseload = Caseload(self.workplace)
        self._members: dict[str, StaffMember] = {}

    def member(self, username: str) -> StaffMember:
        if username not in self._members:
            found = self.workplace.member(username)
            if found is None:
                raise ScenarioError("Simulation", None, f"Das Konto »{username}« fehlt in der Simulation.")
            self._members[username] = found
        return self._members[username]


def run(office: Office, clock: SimulatedClock, case_id: int, kind: str, data: dict[str, Any]) -> str | None:
    """Run a workplace step; a product refusal is raised (FormError, EngineError), a step that does not fit the
    case (no appointment that day) is returned as a German sentence."""
    today = clock.today()
    counsellor = office.member(CASE_COUNSELLOR)
    day = day_of(data.get("am", "heute"), today)
    if kind == "termin":
        office.agenda.book(counsellor, case_id, starts_at=_start(office, case_id, day, data.get("um")),
                           kind=data.get("art", IN_PERSON), purpose=data.get("zweck", ""),
                           with_rfb=data.get("rfb", False))
    elif kind in ("termin_versaeumt", "termin_wahrgenommen", "termin_absagen"):
        found = _planned(office, case_id, day, data.get("um"))
        if isinstance(found, str):
            return found
        if kind == "termin_versaeumt":
            if clock.now() < found.ends_at and berlin_date(found.ends_at) == today:
                clock.set(found.ends_at)  # a missed appointment is recorded once its time has passed
                office.services.fire_due_timers(limit=10_000)
            office.agenda.record_missed(counsellor, found.id)
        elif kind == "termin_wahrgenommen":
            next_day = data.get("naechsterKontaktAm")
            office.agenda.hold(counsellor, found.id, kind=data.get("gespraechsart", IN_PERSON),
                               note=data.get("notiz", ""), next_contact=data.get("naechsterKontakt"),
                               next_day=None if next_day is None else day_of(next_day, today))
        else:
            office.agenda.cancel(counsellor, found.id, data.get("von", ""))
    elif kind == "wiedervorlage":
        office.agenda.add_follow_up(counsellor, case_id, due_on=day, reason=data.get("grund", ""))
    elif kind == "wiedervorlage_erledigt":
        open_ones = [row for row in case_agenda(office.services, case_id).follow_ups
                     if row.done_at is None and row.due_on == day]
        if not open_ones:
            return f"Am {date_text(day)} ist für den Fall keine Wiedervorlage offen."
        office.agenda.follow_up_done(counsellor, open_ones[0].id)
    elif kind == "kontakt":
        office.agenda.record_contact(counsellor, case_id, kind=data.get("art", ""), note=data.get("notiz", ""))
    elif kind == "ereignis":
        office.agenda.record_incoming(counsellor, case_id, data["ereignis"])
    elif kind == "uebergabe":
        office.caseload.hand_over(office.member(TEAM_LEAD_NAME), case_id, data.get("an", ""), data.get("grund", ""))
    elif kind == "schliessen":
        office.caseload.close(counsellor, case_id, data.get("grund", ""))
    else:
        office.caseload.reopen(counsellor, case_id)
    return None


def _start(office: Office, case_id: int, day: date, at: time | None) -> datetime:
    """The appointment's start: the time written, else the first free slot of the holder's calendar that day."""
    if at is not None:
        return datetime.combine(day, at, BERLIN)
    holder = office.services.case(case_id).counsellor or CASE_COUNSELLOR
    free = calendar(office.services, holder, day).days[0].free
    return free[0].starts_at if free else datetime.combine(day, DAY_START, BERLIN)  # the booking says why not


def _planned(office: Office, case_id: int, day: date, at: time | None) -> AppointmentRow | str:
    """The case's planned appointment that day (at that time), or why there is none."""
    rows = sorted(case_agenda(office.services, case_id).appointments, key=lambda row: row.starts_at)
    for row in rows:
        local = row.starts_at.astimezone(BERLIN)
        if row.status == PLANNED and local.date() == day and at in (None, local.time()):
            return row
    when = date_text(day) + (f" um {at:%H:%M} Uhr" if at is not None else "")
    return f"Am {when} hat der Fall keinen geplanten Termin; Termine des Falls: {appointments_text(rows) or 'keine'}."


def appointments_text(rows: list[AppointmentRow]) -> str:
    return ", ".join(f"{datetime_text(row.starts_at)} {row.kind} {row.status}" for row in rows)
