"""The office of the agenda and workplace web tests: four staff in two teams on the SRO model."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from engine.bootstrap import bootstrap
from engine.domain.staff import StaffMember
from engine.runtime.clock import BERLIN, SimulatedClock
from engine.runtime.store import OpenTask
from engine.services import Services
from engine.unit_of_work import UnitOfWork
from engine.workplace.agenda import Agenda
from engine.workplace.cases import Caseload
from engine.workplace.commands import Workplace
from tests.conftest import SRO_PROCESSES, make_sqlite

T = TypeVar("T")
MONDAY = datetime(2025, 3, 3, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
PASSWORD = "passwort-lang-1"


@dataclass
class Office:
    services: Services
    clock: SimulatedClock
    workplace: Workplace
    agenda: Agenda
    cases: Caseload

    def member(self, username: str) -> StaffMember:
        found = self.workplace.member(username)
        assert found is not None
        return found

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)

    def first_session(self, case_id: int, uow: UnitOfWork | None = None, **answers: object) -> None:
        [task] = self.services.open_tasks(case_id)
        form: dict[str, object] = {
            "gespraechsart": "praesenz", "ergebnis": "plan_vereinbart", "kooperationsbereit": True,
            "integrationsnah": False, "erwerbsminderungPruefung": False, "ohneVeraenderungsperspektive": False,
            "ausnahme": "keine", "naechsterKontakt": "folgetermin_praesenz", "naechsterKontaktAm": "2025-03-19",
            "notiz": "Erstgespräch", "ausgangssituation": "Helferin im Einzelhandel", "potenzialanalyse": "Verkauf"}
        form.update(answers)
        self.services.complete_task(task.id, form, actor="anna", uow=uow)

    def agreed_plan(self, case_id: int) -> None:
        """After the first session (a plan agreed): the plan with one step due 30.04.2025; no task is open."""
        [plan_task] = self.services.open_tasks(case_id)
        self.services.complete_task(plan_task.id, {
            "planZiel": "Arbeit im Verkauf", "planLaufzeit": "P3M", "eigenbemuehungen": None,
            "schritte": [{"beschreibung": "Bewerbungen", "verantwortlich": "elb", "faellig": "2025-04-30",
                          "wiedervorlage": None}]}, actor="anna")
        assert self.services.open_tasks(case_id) == []

    def plan_to_review(self, case_id: int) -> OpenTask:
        """From the open plan task: a plan of one month with one step due 28.03.2025, the step checked as done on
        31.03.2025; returns the review task that opens then."""
        [plan_task] = self.services.open_tasks(case_id)
        self.services.complete_task(plan_task.id, {
            "planZiel": "Arbeit im Verkauf", "planLaufzeit": "P1M", "eigenbemuehungen": None,
            "schritte": [{"beschreibung": "Bewerbungen", "verantwortlich": "elb", "faellig": "2025-03-28",
                          "wiedervorlage": None}]}, actor="anna")
        self.clock.set(datetime(2025, 3, 31, 7, 0, tzinfo=UTC))
        self.services.fire_due_timers()
        [check] = self.services.open_tasks(case_id)
        self.services.complete_task(check.id, {"schrittNr": 1, "schrittErledigt": True}, actor="anna")
        [review] = self.services.open_tasks(case_id)
        assert review.element_id == "Task_PlanUeberpruefen"
        return review


def counted(services: Services, act: Callable[[Session], T]) -> tuple[T, list[str]]:
    """What `act` returns in a committed unit of work, and the statements it sent (for round-trip counts)."""
    return counted_command(services, lambda work: act(work.session))


def counted_command(services: Services, act: Callable[[UnitOfWork], T]) -> tuple[T, list[str]]:
    """As `counted`, for a command that runs in the given unit of work (`uow=`)."""
    statements: list[str] = []
    with services.unit_of_work() as work:
        event.listen(work.session.connection(), "before_cursor_execute",
                     lambda connection, cursor, statement, *rest: statements.append(statement))
        result = act(work)
        work.commit()
    return result, statements


def staffed(services: Services, clock: SimulatedClock) -> Office:
    """An office on these services: Anna and Bert (IFK) and Tina (team lead) in team nord, Sven (IFK) in süd."""
    workplace = Workplace(services)
    for username, role, team in (("anna", "ifk", "nord"), ("bert", "ifk", "nord"), ("tina", "teamleitung", "nord"),
                                 ("sven", "ifk", "sued")):
        workplace.add_staff(username, username.capitalize(), role, PASSWORD, team=team)
    return Office(services, clock, workplace, Agenda(workplace), Caseload(workplace))


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    clock = SimulatedClock(MONDAY)
    services = make_sqlite(tmp_path / "kalender.sqlite3", clock, SRO_PROCESSES)
    yield staffed(services, clock)
    services.engine.database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def office_on_both(request: pytest.FixtureRequest) -> Iterator[Office]:
    """The office on the embedded default and on the production database."""
    if request.param == "sqlite":
        yield request.getfixturevalue("office")
        return
    clock = SimulatedClock(MONDAY)
    services = bootstrap(database=request.getfixturevalue("postgres_schema").database(), clock=clock)
    services.deploy([SRO_PROCESSES])
    yield staffed(services, clock)
    services.engine.database.dispose()


