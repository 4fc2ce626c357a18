"""Exclusive gateways decide by their conditions only, never by where the shapes are drawn."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from engine.runtime.clock import SimulatedClock
from engine.runtime.errors import AmbiguousGatewayError
from tests.conftest import PROCESSES, make_sqlite
from tests.cycle import session_form, task_at


def overlapping_variant(tmp_path: Path) -> Path:
    """"nein" rewritten to a condition lint cannot enumerate (a date field), overlapping with "ja"."""
    source = (PROCESSES / "beratungszyklus.bpmn").read_text(encoding="utf-8")
    condition = "${planVereinbart == false}"
    assert source.count(condition) == 1
    folder = tmp_path / "processes"
    folder.mkdir()
    (folder / "beratungszyklus.bpmn").write_text(source.replace(condition, "${schrittFaellig != null}"),
                                                 encoding="utf-8")
    return folder


def test_overlapping_true_conditions_fail_loudly_and_save_nothing(tmp_path: Path) -> None:
    clock = SimulatedClock(datetime(2025, 1, 6, 8, tzinfo=UTC))
    services = make_sqlite(tmp_path / "db.sqlite3", clock, overlapping_variant(tmp_path))
    case_id = services.start_case("K-G", "team-nord", data={"naechsterKontaktAm": clock.now().date()},
                                  actor="ifk").case_id
    task_id = task_at(services, case_id, "Task_Beratungsgespraech")

    def snapshot() -> list[tuple[object, ...]]:
        with services.engine.database.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(
                text("SELECT version, state FROM process_instances UNION ALL SELECT count(*), '' FROM events"))]

    before = snapshot()
    with pytest.raises(AmbiguousGatewayError) as caught:
        services.complete_task(task_id, session_form(services, plan=True), actor="ifk")
    assert caught.value.element_id == "Gateway_PlanVereinbart"
    assert "Mehrere Bedingungen" in str(caught.value)
    assert snapshot() == before
    # with plan=False only "nein" holds (schrittFaellig is set, planVereinbart false): exactly one branch
    form = session_form(services, plan=False, schrittFaellig="2025-01-20")
    outcome = services.complete_task(task_id, form, actor="ifk")
    assert outcome.open_tasks == ["Task_Aufforderung"]
