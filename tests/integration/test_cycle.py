"""The counselling cycle through the service functions on a simulated clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from engine.runtime.errors import FormError, NothingWaitsError, TaskAlreadyCompletedError
from engine.runtime.store import ENDED, RUNNING, Event, OpenTask, ProcessInstance, Wait
from engine.services import Services
from tests.cycle import run_cycle, session_form, task_at, today
from tests.process_assert import assert_that


def start(services: Services, number: str = "K-000001") -> int:
    first = today(services) + timedelta(days=3)
    return services.start_case(number, "team-nord", data={"naechsterKontaktAm": first}, actor="ifk-1").case_id


def test_new_case_waits_at_session_with_camunda_attributes(services: Services) -> None:
    case_id = start(services)
    [task] = services.open_tasks(case_id)
    assert task.element_id == "Task_Beratungsgespraech"
    assert task.name == "Beratungsgespräch führen"
    assert task.candidate_groups == "ifk"
    assert task.priority == 50
    # dueDate P14D from creation; followUpDate = the first appointment (midnight Berlin, stored in UTC)
    assert task.due_at == services.engine.clock.now() + timedelta(days=14)
    assert task.follow_up_at is not None and task.follow_up_at.isoformat() == "2025-01-08T23:00:00+00:00"
    assert task.follow_up_at.tzinfo is not None


def test_plan_step_deadline_then_review_starts_next_cycle_with_data(services: Services) -> None:
    case_id = start(services)
    clock = services.engine.clock
    outcome = services.complete_task(task_at(services, case_id, "Task_Beratungsgespraech"),
                                     session_form(services, step_days=7), actor="ifk-1")
    assert outcome.passed == ["Task_Beratungsgespraech", "Gateway_PlanVereinbart"]
    assert_that(services, case_id).is_waiting_exactly_at("Event_SchrittFaellig").is_waiting_for_timer(
        "Event_SchrittFaellig", due=datetime(2025, 1, 12, 23, tzinfo=UTC))  # 13 January, midnight in Berlin

    clock.advance("P6D")  # type: ignore[attr-defined]
    assert services.fire_due_timers() == 0  # not yet due: the engine's clock, not the wall clock
    clock.advance("P1D")  # type: ignore[attr-defined]
    assert services.fire_due_timers() == 1
    task_id = task_at(services, case_id, "Task_SchrittPruefen")
    services.complete_task(task_id, {"schrittErledigt": True}, actor="ifk-1")
    assert_that(services, case_id).is_waiting_exactly_at("Event_Ueberpruefung").is_waiting_for_timer(
        "Event_Ueberpruefung", due=clock.now() + timedelta(days=14))  # planLaufzeit P14D

    clock.advance("P14D")  # type: ignore[attr-defined]
    assert services.fire_due_timers() == 1
    case = services.case(case_id)
    assert case.cycle_count == 2
    assert_that(services, case_id).has_open_tasks_exactly("Task_Beratungsgespraech")
    data = services.case_data(case_id)
    assert data["planVereinbart"] is True
    assert data["naechsterKontaktAm"] == date(2025, 1, 14)
    assert data["schrittFaellig"] == date(2025, 1, 13)
    # values of one pass only are not carried into the next
    assert "notiz" not in data and "schrittErledigt" not in data
    with services.engine.database.session() as session:
        statuses = session.execute(select(ProcessInstance.cycle_no, ProcessInstance.status)
                                   .where(ProcessInstance.case_id == case_id).order_by(ProcessInstance.id)).all()
    assert statuses == [(1, ENDED), (2, RUNNING)]


def test_no_plan_escalates_to_demand(services: Services) -> None:
    case_id = start(services)
    outcome = services.complete_task(task_at(services, case_id, "Task_Beratungsgespraech"),
                                     session_form(services, plan=False), actor="ifk-1")
    assert outcome.passed == ["Task_Beratungsgespraech", "Gateway_PlanVereinbart"]
    assert outcome.open_tasks == ["Task_Aufforderung"]
    demand = services.open_tasks(case_id)[0]
    assert demand.priority == 80
    frist = (today(services) + timedelta(days=14)).isoformat()
    demand_form = {"aufforderungSchritt": "Bewerbung bei Firma X", "aufforderungFrist": frist}
    after = services.complete_task(demand.id, demand_form, actor="ifk-1")
    assert after.cycles_started == 1
    assert services.case(case_id).cycle_count == 2


def test_step_not_done_escalates_to_demand(services: Services) -> None:
    case_id = start(services)
    services.complete_task(task_at(services, case_id, "Task_Beratungsgespraech"), session_form(services), actor="a")
    services.engine.clock.advance("P8D")  # type: ignore[attr-defined]
    services.fire_due_timers()
    outcome = services.complete_task(task_at(services, case_id, "Task_SchrittPruefen"), {"schrittErledigt": False},
                                     actor="a")
    assert outcome.passed == ["Task_SchrittPruefen", "Gateway_SchrittErledigt"]
    assert outcome.open_tasks == ["Task_Aufforderung"]


def test_missed_appointment_message_interrupts_session(services: Services) -> None:
    case_id = start(services)
    assert_that(services, case_id).is_waiting_for_message("Meldeversaeumnis")
    outcome = services.deliver_message(case_id, "Meldeversaeumnis", {"termin": "2025-01-09"}, actor="ifk-1")
    assert_that(services, case_id, command=outcome).has_passed("Event_TerminVersaeumt").is_waiting_exactly_at(
        "Task_Aufforderung")
    with pytest.raises(NothingWaitsError, match="Meldeversaeumnis"):
        services.deliver_message(case_id, "Meldeversaeumnis", {}, actor="ifk-1")


def test_wrong_form_input_changes_nothing(services: Services) -> None:
    case_id = start(services)
    task_id = task_at(services, case_id, "Task_Beratungsgespraech")

    def snapshot() -> tuple[object, ...]:
        with services.engine.database.session() as session:
            return (session.scalar(select(ProcessInstance.state).where(ProcessInstance.case_id == case_id)),
                    session.scalar(select(func.count(Event.id))),
                    session.scalar(select(func.count(OpenTask.id))),
                    session.scalar(select(func.count(Wait.id))))

    before = snapshot()
    bad = session_form(services, gespraechsart="email", naechsterKontaktAm="31.02.2025", unbekannt="x")
    with pytest.raises(FormError) as caught:
        services.complete_task(task_id, bad, actor="ifk-1")
    assert set(caught.value.errors) == {"gespraechsart", "naechsterKontaktAm", "unbekannt"}
    assert "Ungültige Auswahl" in caught.value.errors["gespraechsart"]
    assert "TT.MM.JJJJ" in caught.value.errors["naechsterKontaktAm"]
    assert snapshot() == before


def test_completed_task_cannot_be_completed_again(services: Services) -> None:
    case_id = start(services)
    task_id = task_at(services, case_id, "Task_Beratungsgespraech")
    services.complete_task(task_id, session_form(services), actor="ifk-1")
    with pytest.raises(TaskAlreadyCompletedError):
        services.complete_task(task_id, session_form(services), actor="ifk-2")


def test_event_log_records_every_command_with_actor(services: Services) -> None:
    case_id = start(services)
    run_cycle(services, case_id, actor="ifk-7")
    with services.engine.database.session() as session:
        rows = session.execute(select(Event.kind, Event.actor, Event.element_id).where(Event.case_id == case_id)
                               .order_by(Event.id)).all()
    kinds = [row.kind for row in rows]
    assert kinds == ["fall_angelegt", "zyklus_gestartet", "aufgabe_erledigt", "frist_abgelaufen", "aufgabe_erledigt",
                     "frist_abgelaufen", "zyklus_beendet", "zyklus_gestartet"]
    assert {row.actor for row in rows if row.kind == "aufgabe_erledigt"} == {"ifk-7"}
    assert {row.actor for row in rows if row.kind == "frist_abgelaufen"} == {"zeitgeber"}


def test_event_log_is_append_only(services: Services) -> None:
    start(services)
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError, match="unveränderlich"), services.engine.database.engine.begin() as connection:
        connection.execute(text("UPDATE events SET actor = 'x'"))
    with pytest.raises(DBAPIError, match="unveränderlich"), services.engine.database.engine.begin() as connection:
        connection.execute(text("DELETE FROM events"))
