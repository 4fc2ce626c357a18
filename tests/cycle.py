"""Helpers that drive the counselling cycle through the service functions, as a counsellor would."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from engine.runtime.clock import BERLIN
from engine.services import Services
from engine.unit_of_work import Outcome
from tests.process_assert import assert_that


def today(services: Services) -> date:
    return services.engine.clock.now().astimezone(BERLIN).date()


def task_at(services: Services, case_id: int, element_id: str) -> str:
    """The id of the one open task at `element_id`; a failure says where the case waits instead."""
    return assert_that(services, case_id).task(element_id).id


def session_form(services: Services, *, plan: bool = True, laufzeit: str = "P14D", step_days: int = 7,
                 **extra: Any) -> dict[str, Any]:
    day = today(services)
    form: dict[str, Any] = {
        "gespraechsart": "praesenz",
        "planVereinbart": plan,
        "planLaufzeit": laufzeit,
        "naechsterKontakt": "wiedervorlage",
        "naechsterKontaktAm": (day + timedelta(days=step_days + 1)).isoformat(),
    }
    if plan:
        form["schrittBeschreibung"] = "Drei Bewerbungen schreiben"
        form["schrittFaellig"] = (day + timedelta(days=step_days)).isoformat()
    form.update(extra)
    return form


def run_cycle(services: Services, case_id: int, actor: str = "ifk-1") -> list[Outcome]:
    """One full pass: session with a short plan, step deadline, step done, review, next cycle."""
    clock = services.engine.clock
    outcomes = [services.complete_task(task_at(services, case_id, "Task_Beratungsgespraech"),
                                       session_form(services), actor=actor)]
    clock.advance("P8D")  # type: ignore[attr-defined]
    services.fire_due_timers()
    outcomes.append(services.complete_task(task_at(services, case_id, "Task_SchrittPruefen"),
                                           {"schrittErledigt": True}, actor=actor))
    clock.advance("P15D")  # type: ignore[attr-defined]
    services.fire_due_timers()
    return outcomes
