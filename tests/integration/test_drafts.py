"""Form drafts live as long as their open task (task_drafts.task_id references open_tasks.id ON DELETE CASCADE,
migration 0014): completing the task, ending it otherwise or closing the case takes the drafts with it, in the
save's own statement; a draft for a task that is no longer open is refused in German and nothing is stored."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.runtime.errors import TaskAlreadyCompletedError
from engine.workplace.tables import TaskDraft
from tests.integration.conftest import Office


def _drafts(office: Office) -> list[tuple[str, str]]:
    with office.services.reading() as session:
        return [(row.task_id, row.username) for row in session.execute(select(TaskDraft.task_id, TaskDraft.username)
                                                                       .order_by(TaskDraft.username))]


def _case_with_draft(office: Office) -> tuple[int, str]:
    """A new case of Anna's whose first-session task has her draft: the case and the task."""
    anna = office.member("anna")
    case_id = office.cases.intake(anna, "901a123456", first_session=office.at(date(2025, 3, 5), 9))
    [task] = office.services.open_tasks(case_id)
    office.workplace.save_draft(anna, task.id, {"notiz": "halb fertig"})
    return case_id, task.id


def test_completing_the_task_takes_every_persons_draft_with_it(office_on_both: Office) -> None:
    office = office_on_both
    case_id, task_id = _case_with_draft(office)
    office.workplace.save_draft(office.member("bert"), task_id, {"notiz": "Vertretung"})
    assert _drafts(office) == [(task_id, "anna"), (task_id, "bert")]
    office.clock.set(datetime(2025, 3, 5, 8, 50, tzinfo=UTC))
    office.first_session(case_id)
    assert _drafts(office) == []


def test_closing_the_case_takes_the_drafts_of_its_open_tasks(office_on_both: Office) -> None:
    office = office_on_both
    case_id, _ = _case_with_draft(office)
    office.cases.close(office.member("anna"), case_id, "verzogen")
    assert _drafts(office) == []


def test_a_draft_for_a_task_completed_meanwhile_is_refused_in_german(office_on_both: Office,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The form was opened while the task was open; a colleague completed it before the draft was saved."""
    office = office_on_both
    anna = office.member("anna")
    case_id = office.cases.intake(anna, "901a123456", first_session=office.at(date(2025, 3, 5), 9))
    [task] = office.services.open_tasks(case_id)
    seen = office.workplace.task_for(anna, task.id)
    office.clock.set(datetime(2025, 3, 5, 8, 50, tzinfo=UTC))
    office.first_session(case_id)

    def as_seen(*args: Any) -> Any:
        return seen

    monkeypatch.setattr(office.workplace, "task_for", as_seen)
    with pytest.raises(TaskAlreadyCompletedError, match=r"nicht mehr offen.*nicht gespeichert"):
        office.workplace.save_draft(anna, task.id, {"notiz": "zu spät"})
    assert _drafts(office) == []
    with office.services.reading() as session:
        from engine.runtime.store import Event

        assert session.scalar(select(func.count()).select_from(Event)
                              .where(Event.kind == "entwurf_gespeichert")) == 0
