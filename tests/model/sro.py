"""A case driven through the SRO model as a counsellor would, through the service functions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from engine.runtime.clock import BERLIN, SimulatedClock
from engine.runtime.store import OpenTask
from engine.services import Services
from engine.unit_of_work import Outcome
from tests.process_assert import assert_that


class Fall:
    """One case: start it, complete its tasks by element id, let time pass, deliver messages."""

    def __init__(self, services: Services, number: str = "K-000001", **data: Any) -> None:
        self.services = services
        self.clock = services.engine.clock
        assert isinstance(self.clock, SimulatedClock)
        start = {"naechsterKontaktAm": self.today + timedelta(days=3), **data}
        self.id = services.start_case(number, "team-nord", data=start, actor="ifk-1").case_id

    @property
    def today(self) -> date:
        return self.clock.now().astimezone(BERLIN).date()

    def in_days(self, days: int) -> str:
        """A date relative to the simulated today, as a form field carries it."""
        return (self.today + timedelta(days=days)).isoformat()

    def tasks(self) -> list[str]:
        """The element ids of the open user tasks, sorted."""
        return sorted(task.element_id for task in self.services.open_tasks(self.id))

    def task(self, element_id: str) -> OpenTask:
        """The one open task at `element_id`; a failure says where the case waits instead."""
        return assert_that(self).task(element_id)

    def complete(self, element_id: str, **form: Any) -> Outcome:
        return self.services.complete_task(self.task(element_id).id, form, actor="ifk-1")

    def session(self, element_id: str = "Task_Beratungsgespraech", **form: Any) -> Outcome:
        """A counselling session with sensible answers; keyword arguments override them."""
        answers: dict[str, Any] = {
            "gespraechsart": "praesenz", "ergebnis": "plan_vereinbart", "kooperationsbereit": True,
            "integrationsnah": False, "erwerbsminderungPruefung": False, "ohneVeraenderungsperspektive": False,
            "ausnahme": "keine", "naechsterKontakt": "wiedervorlage",
            "naechsterKontaktAm": (self.today + timedelta(days=14)).isoformat(), "notiz": "Gespräch geführt",
        }
        if element_id == "Task_Erstgespraech":
            answers.update(ausgangssituation="Alleinerziehend, Helferin im Einzelhandel",
                           potenzialanalyse="Will wieder im Verkauf arbeiten; Führerschein vorhanden")
        answers.update(form)
        return self.complete(element_id, **answers)

    def plan(self, *steps: tuple[int, int | None], laufzeit: str = "P3M") -> Outcome:
        """Agree a Kooperationsplan: steps as (days until due, days until Wiedervorlage or None)."""
        return self.complete("Task_Kooperationsplan", planZiel="Arbeitsaufnahme im Verkauf", planLaufzeit=laufzeit,
                             eigenbemuehungen="Zwei Bewerbungen pro Woche", schritte=[
                                 {"beschreibung": f"Schritt {number}", "verantwortlich": "elb",
                                  "faellig": (self.today + timedelta(days=due)).isoformat(),
                                  "wiedervorlage": None if follow_up is None
                                  else (self.today + timedelta(days=follow_up)).isoformat()}
                                 for number, (due, follow_up) in enumerate(steps, start=1)])

    def advance(self, duration: str | timedelta) -> int:
        """Let time pass on the simulated clock, then fire what became due."""
        self.clock.advance(duration)  # type: ignore[attr-defined]
        return self.services.fire_due_timers(limit=1000)

    def message(self, name: str, **payload: Any) -> Outcome:
        return self.services.deliver_message(self.id, name, payload, actor="ifk-1")

    @property
    def data(self) -> dict[str, Any]:
        return self.services.case_data(self.id)

    @property
    def row(self) -> Any:
        return self.services.case(self.id)

    def current(self) -> dict[str, Any]:
        """The data the running instance holds now (case data is only written at cycle ends)."""
        return self.services.current_data(self.id)


def agreed_plan(services: Services, *steps: tuple[int, int | None], laufzeit: str = "P3M") -> Fall:
    """A case past its first session with a plan: waiting for the first step's check date."""
    fall = Fall(services)
    fall.session("Task_Erstgespraech")
    fall.plan(*steps, laufzeit=laufzeit)
    return fall
