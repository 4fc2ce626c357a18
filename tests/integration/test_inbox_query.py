"""The inbox's statement (engine/queries/inbox.py): a team's open tasks found by their partition key, and a
candidate group matched as a whole name in the comma-separated list, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from engine.domain.staff import StaffMember
from engine.queries import InboxFilter, inbox
from engine.runtime.store import OpenTask
from engine.services import Services


def _member(username: str, team: str, role: str = "ifk") -> StaffMember:
    return StaffMember(username=username, display_name=username, role=role, team=team, fte=1.0, password_hash="-",
                       active=True)


def _start(services: Services, customer_number: str, team: str) -> int:
    first = services.engine.clock.today() + timedelta(days=3)
    return services.start_case(customer_number, team, data={"naechsterKontaktAm": first}, counsellor="ifk-1",
                               actor="ifk-1").case_id


def _cases_seen(services: Services, member: StaffMember) -> list[int]:
    page = inbox(services, member, InboxFilter(include_future=True))
    assert page.total == len(page.rows)
    return sorted(row.case_id for row in page.rows)


def test_a_team_sees_its_own_cases_tasks_only(services: Services) -> None:
    nord = [_start(services, f"K-10000{number}", "team-nord") for number in range(3)]
    sued = _start(services, "K-200000", "team-sued")
    assert _cases_seen(services, _member("ifk-1", "team-nord")) == nord
    assert _cases_seen(services, _member("ifk-9", "team-sued")) == [sued]
    assert _cases_seen(services, _member("ifk-7", "team-west")) == []


@pytest.mark.parametrize(("groups", "seen"), [
    ("ifk", True), ("teamleitung,ifk", True), ("ifk,teamleitung", True), ("a,ifk,b", True),
    ("teamleitung", False), ("ifk_neu", False), ("xifk", False), ("ifkx,teamleitung", False), ("", False),
])
def test_a_candidate_group_matches_as_a_whole_name(services: Services, groups: str, seen: bool) -> None:
    case_id = _start(services, "K-300000", "team-nord")
    with services.engine.database.engine.begin() as connection:
        connection.execute(update(OpenTask).where(OpenTask.case_id == case_id)
                           .values(candidate_groups=groups, assignee=None))
    assert _cases_seen(services, _member("ifk-1", "team-nord")) == ([case_id] if seen else [])


@pytest.mark.parametrize("role", ["i_k", "if%"])
def test_wildcards_in_a_group_name_are_plain_characters(services: Services, role: str) -> None:
    case_id = _start(services, "K-400000", "team-nord")
    with services.engine.database.engine.begin() as connection:
        connection.execute(update(OpenTask).where(OpenTask.case_id == case_id).values(candidate_groups="ifk"))
    assert _cases_seen(services, _member("ifk-1", "team-nord", role=role)) == []


def test_an_assigned_task_shows_whatever_its_groups(services: Services) -> None:
    case_id = _start(services, "K-500000", "team-nord")
    with services.engine.database.engine.begin() as connection:
        connection.execute(update(OpenTask).where(OpenTask.case_id == case_id)
                           .values(candidate_groups="teamleitung", assignee="ifk-2"))
    assert _cases_seen(services, _member("ifk-1", "team-nord")) == [case_id]
