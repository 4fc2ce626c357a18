"""A case has a next contact while an agreed date or a date the process scheduled lies ahead."""

from __future__ import annotations

from datetime import timedelta

from engine.queries import weekly_figures
from engine.services import Services
from engine.workplace.commands import Workplace
from tests.cycle import session_form, task_at, today


def test_cases_without_next_contact_count_passed_dates_unless_a_step_check_is_scheduled(
        sqlite_services: Services) -> None:
    services = sqlite_services
    Workplace(services).add_staff("ifk-a", "Alma Aust", "ifk", "ein-langes-passwort", team="nord")
    planned = services.start_case("K-PLAN", "nord", counsellor="ifk-a", data={"naechsterKontaktAm": today(services)},
                                  actor="ifk-a").case_id
    unplanned = services.start_case("K-OHNE", "nord", counsellor="ifk-a",
                                    data={"naechsterKontaktAm": today(services)}, actor="ifk-a").case_id
    agreed = (today(services) + timedelta(days=1)).isoformat()
    services.complete_task(task_at(services, planned, "Task_Beratungsgespraech"),
                           session_form(services, step_days=10, naechsterKontaktAm=agreed), actor="ifk-a")
    services.complete_task(task_at(services, unplanned, "Task_Beratungsgespraech"),
                           session_form(services, plan=False, naechsterKontaktAm=agreed), actor="ifk-a")
    services.engine.clock.advance("P3D")  # type: ignore[attr-defined]
    figures = weekly_figures(services, "nord", services.clock.today())
    # K-PLAN: agreed date passed, but its step check (a timer) lies ahead; K-OHNE: only an open demand task
    assert figures.total.without_next_contact == 1
    assert services.case(planned).next_contact_on == today(services) - timedelta(days=2)  # the agreed date, kept
