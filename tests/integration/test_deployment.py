"""Deployment: once per content version; running instances keep theirs, new cycles take the newest."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from engine.runtime.store import Deployment, ProcessInstance, ProcessVersion
from engine.services import Services
from tests.conftest import PROCESSES
from tests.cycle import run_cycle, today


def test_same_content_is_stored_once(services: Services) -> None:
    assert services.deploy([PROCESSES]) == [("Beratungszyklus", 1)]
    assert services.deploy([PROCESSES]) == [("Beratungszyklus", 1)]
    with services.engine.database.session() as session:
        assert session.scalar(select(func.count(Deployment.id))) == 1
        assert session.scalar(select(func.count(ProcessVersion.id))) == 1


def test_new_version_applies_to_new_cycles_only(services: Services, tmp_path: Path) -> None:
    case_id = services.start_case("K-V", "team-nord", data={"naechsterKontaktAm": today(services)},
                                  actor="ifk").case_id
    changed = tmp_path / "processes"
    changed.mkdir()
    text = (PROCESSES / "beratungszyklus.bpmn").read_text(encoding="utf-8")
    (changed / "beratungszyklus.bpmn").write_text(text.replace('camunda:priority="50"', 'camunda:priority="55"'),
                                                  encoding="utf-8")
    assert services.deploy([changed]) == [("Beratungszyklus", 2)]
    assert services.open_tasks(case_id)[0].priority == 50  # the running cycle keeps version 1
    run_cycle(services, case_id)
    assert services.open_tasks(case_id)[0].priority == 55  # the next cycle starts on version 2
    with services.engine.database.session() as session:
        versions = session.execute(
            select(ProcessInstance.cycle_no, ProcessVersion.version)
            .join(ProcessVersion, ProcessVersion.id == ProcessInstance.process_version_id)
            .where(ProcessInstance.case_id == case_id).order_by(ProcessInstance.cycle_no)).all()
    assert [tuple(row) for row in versions] == [(1, 1), (2, 2)]
    assert services.open_tasks(case_id)[0].due_at == services.engine.clock.now() + timedelta(days=14)
