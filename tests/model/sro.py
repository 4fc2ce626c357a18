"""A case driven through the SRO model as a counsellor would, through the service functions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from engine.runtime.clock import BERLIN, SimulatedClock
from engine.runtime.store import Event
from engine.services import Outcome, Services

SESSION_TASKS = {"Task_Erstgespraech", "Task_Beratungsgespraech"}


class Fall:
    """One case: start it, complete its tasks by element id, let time pass, deliver messages."""

    def __init__(self, services: Services, number: str = "K-000001", **data: Any) -> None:
        self.services = services
        self.clock = services.engine.clock
        assert isinstance(self.clock, SimulatedClock)
        start = {"naechsterKontaktAm": self.today + timedelta(days=3), **data}
        self.id = services.start_case(number, "team-nord", data=start, actor="ifk-1").case_id
        self.passed: list[str] = []

    @property
    def today(self) -> date:
        return self.clock.now().astimezone(BERLIN).date()

    def in_days(self, days: int) -> str:
        """A date relative to the simulated today, as a form field carries it."""
        return (self.today + timedelta(days=days)).isoformat()

    def waiting(self) -> list[str]:
        """Open user tasks and waits (timers, messages), by element id."""
        tasks = [task.element_id for task in self.services.open_tasks(self.id)]
        waits = [f"{wait.kind}:{wait.element_id}" for wait in self.services.waits(self.id)]
        return sorted(tasks) + sorted(waits)

    def tasks(self) -> list[str]:
        return sorted(task.element_id for task in self.services.open_tasks(self.id))

    def task(self, element_id: str) -> Any:
        found = [task for task in self.services.open_tasks(self.id) if task.element_id == element_id]
        assert len(found) == 1, f"{element_id} not open; waiting: {self.waiting()}"
        return found[0]

    def complete(self, element_id: str, **form: Any) -> Outcome:
        outcome = self.services.complete_task(self.task(element_id).id, form, actor="ifk-1")
        self.passed.extend(outcome.passed)
        return outcome

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
        outcome = self.services.deliver_message(self.id, name, payload, actor="ifk-1")
        self.passed.extend(outcome.passed)
        return outcome

    @property
    def data(self) -> dict[str, Any]:
        return self.services.case_data(self.id)

    @property
    def row(self) -> Any:
        return self.services.case(self.id)

    def history(self) -> list[str]:
        """Every element the case passed, from the event log (all commands, timers included)."""
        with self.services.engine.database.session() as session:
            rows = session.scalars(select(Event.data).where(Event.case_id == self.id).order_by(Event.id))
            return [element for data in rows if isinstance(data, dict) for element in data.get("durchlaufen", [])]

    def current(self) -> dict[str, Any]:
        """The data the running instance holds now (case data is only written at cycle ends)."""
        return self.services.current_data(self.id)


def passed_in_order(history: list[str], *expected: str) -> bool:
    """True if `expected` appear in `history` in this order (not necessarily adjacent)."""
    position = 0
    for element in history:
        if position < len(expected) and element == expected[position]:
            position += 1
    return position == len(expected)
