"""The counselling cycle of the shipped SRO model as both benchmarks drive it: element ids and forms.

A command is the element id of a user task and the form a counsellor sends for it; `Counsellor`
completes it through the service functions (`Services.complete_task`), as the workplace does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from engine.domain.agenda import FOLLOW_UP_CONTACT
from engine.domain.workdays import next_working_day
from engine.queries import REVIEW_TASK
from engine.runtime.store import OpenTask
from engine.services import Services
from engine.unit_of_work import Outcome

FIRST_SESSION = "Task_Erstgespraech"
SESSION = "Task_Beratungsgespraech"
PLAN = "Task_Kooperationsplan"
STEP_CHECK = "Task_SchrittPruefen"
REVIEW = REVIEW_TASK
STEP_DUE = "Event_SchrittFaellig"  # timer: the next open step's Wiedervorlage or due date
REVIEW_DUE = "Event_Ueberpruefung"  # boundary timer of the plan: review after its term at the latest

# What a session answers unless the caller says otherwise: no feature that changes the priority group.
_NEUTRAL_ANSWERS: dict[str, Any] = {
    "kooperationsbereit": False, "integrationsnah": False, "erwerbsminderungPruefung": False,
    "ohneVeraenderungsperspektive": False, "ausnahme": "keine",
}


@dataclass(frozen=True)
class Command:
    """One "complete task" command: which task and the form sent for it."""

    element_id: str
    form: dict[str, Any]


def session(today: date, *, first: bool, answers: Mapping[str, Any], contact: str, contact_in_days: int,
            result: str = "plan_vereinbart") -> Command:
    """A counselling session (the first in person, with the starting point and the potential analysis)."""
    form: dict[str, Any] = {
        "gespraechsart": "praesenz", "ergebnis": result, **_NEUTRAL_ANSWERS,
        "naechsterKontakt": contact, "naechsterKontaktAm": _contact_day(today, contact_in_days, contact),
        **answers}
    if not first:
        return Command(SESSION, {**form, "notiz": "Beratungsgespräch geführt; neuer Plan besprochen."})
    return Command(FIRST_SESSION, {
        **form, "notiz": "Erstgespräch geführt; Ausgangssituation und nächste Schritte besprochen.",
        "ausgangssituation": "Alleinerziehend, zuletzt Helferin im Einzelhandel, Kinderbetreuung geklärt.",
        "potenzialanalyse": "Will wieder im Verkauf arbeiten; Führerschein vorhanden, Deutsch sicher."})


def plan(today: date, steps: Sequence[tuple[int, int | None]], *, term: str = "P3M") -> Command:
    """A Kooperationsplan; steps as (days until due, days until Wiedervorlage or None)."""
    return Command(PLAN, {
        "planZiel": "Arbeitsaufnahme im Verkauf", "planLaufzeit": term,
        "eigenbemuehungen": "Zwei Bewerbungen pro Woche, Termine beim Bewerbungsservice wahrnehmen",
        "schritte": [{"beschreibung": f"Schritt {number}: Bewerbungsunterlagen überarbeiten und versenden",
                      "verantwortlich": "elb", "faellig": _day(today, due),
                      "wiedervorlage": None if follow_up is None else _day(today, follow_up)}
                     for number, (due, follow_up) in enumerate(steps, start=1)]})


def step_check(number: int = 1) -> Command:
    """The step came due and was done."""
    return Command(STEP_CHECK, {"schrittNr": number, "schrittErledigt": True, "notiz": "Nachweise liegen vor."})


def review(today: date, *, contact: str, contact_in_days: int) -> Command:
    """The plan is reviewed; the next session is agreed (it opens the next cycle)."""
    return Command(REVIEW, {
        "ueberpruefung": "Ziel teilweise erreicht; neuer Plan im nächsten Gespräch.", "gespraechsart": "telefon",
        "naechsterKontakt": contact, "naechsterKontaktAm": _contact_day(today, contact_in_days, contact)})


def _day(today: date, days: int) -> str:
    return (today + timedelta(days=days)).isoformat()


def _contact_day(today: date, days: int, contact: str) -> str:
    """An appointment falls on a working day (a Wiedervorlage may fall on any day)."""
    day = today + timedelta(days=days)
    return (day if contact == FOLLOW_UP_CONTACT else next_working_day(day)).isoformat()


class Counsellor:
    """Starts cases and completes their tasks through the service functions, under one name and team."""

    def __init__(self, services: Services, actor: str, team: str) -> None:
        self.services = services
        self.actor = actor
        self.team = team

    @property
    def today(self) -> date:
        return self.services.clock.today()

    def start(self, customer_number: str, *, first_contact_in_days: int) -> int:
        return self.services.start_case(customer_number, self.team, actor=self.actor, data={
            "naechsterKontaktAm": self.today + timedelta(days=first_contact_in_days)}).case_id

    def task(self, case_id: int, element_id: str) -> OpenTask:
        """The one open task of the case at this element."""
        found = [task for task in self.services.open_tasks(case_id) if task.element_id == element_id]
        if len(found) != 1:
            open_ids = [task.element_id for task in self.services.open_tasks(case_id)]
            raise RuntimeError(f"Fall {case_id}: Aufgabe {element_id} ist nicht offen (offen: {open_ids}).")
        return found[0]

    def complete(self, case_id: int, command: Command) -> Outcome:
        return self.services.complete_task(self.task(case_id, command.element_id).id, command.form,
                                           actor=self.actor)
