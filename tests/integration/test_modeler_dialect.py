"""Diagrams as Camunda Modeler saves them: unquoted ISO timer literals and ${...} conditions run as written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from engine.bootstrap import bootstrap
from engine.runtime.clock import SimulatedClock
from tests.conftest import PROCESSES
from tests.cycle import session_form, task_at
from tests.process_assert import assert_that


def modeler_variant(tmp_path: Path) -> Path:
    """The shipped diagram (written by the Camunda moddle) with literal timers instead of expressions."""
    text = (PROCESSES / "beratungszyklus.bpmn").read_text(encoding="utf-8")
    duration = '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">${planLaufzeit}</bpmn:timeDuration>'
    date = '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">${schrittFaellig}</bpmn:timeDate>'
    assert duration in text and date in text
    text = text.replace(duration, '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P1M</bpmn:timeDuration>')
    text = text.replace(date, '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">2025-01-31</bpmn:timeDate>')
    folder = tmp_path / "processes"
    folder.mkdir()
    (folder / "beratungszyklus.bpmn").write_text(text, encoding="utf-8")
    return folder


def test_unquoted_timer_literals_and_juel_conditions_run(tmp_path: Path) -> None:
    clock = SimulatedClock(datetime(2025, 1, 6, 8, tzinfo=UTC))
    services = bootstrap(f"sqlite:///{tmp_path / 'db.sqlite3'}", clock=clock)
    assert services.deploy([modeler_variant(tmp_path)]) == [("Beratungszyklus", 1)]
    case_id = services.start_case("K-M", "team-nord", data={"naechsterKontaktAm": clock.now().date()},
                                  actor="ifk").case_id
    outcome = services.complete_task(task_at(services, case_id, "Task_Beratungsgespraech"), session_form(services),
                                     actor="ifk")
    assert outcome.passed == ["Task_Beratungsgespraech", "Gateway_PlanVereinbart"]  # ${planVereinbart == true}
    assert_that(services, case_id).is_waiting_exactly_at("Event_SchrittFaellig").is_waiting_for_timer(
        "Event_SchrittFaellig", due=datetime(2025, 1, 30, 23, tzinfo=UTC))  # 31 January, midnight in Berlin

    clock.set(datetime(2025, 1, 31, 10, tzinfo=UTC))
    assert services.fire_due_timers() == 1
    services.complete_task(task_at(services, case_id, "Task_SchrittPruefen"), {"schrittErledigt": True}, actor="ifk")
    # P1M from 31 January clamps to the month end, as Camunda does (SpiffWorkflow would say 3 March)
    assert_that(services, case_id).is_waiting_exactly_at("Event_Ueberpruefung").is_waiting_for_timer(
        "Event_Ueberpruefung", due=datetime(2025, 2, 28, 10, tzinfo=UTC))
    clock.advance(timedelta(days=28) - timedelta(seconds=1))
    assert services.fire_due_timers() == 0
    clock.advance(timedelta(seconds=1))
    assert services.fire_due_timers() == 1
    assert services.case(case_id).cycle_count == 2
