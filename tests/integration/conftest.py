"""Fixtures of the workplace web tests: an office of four staff in two teams on the SRO model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.runtime.clock import SimulatedClock
from engine.workplace.agenda import Agenda
from engine.workplace.cases import Caseload
from engine.workplace.commands import Workplace
from tests.conftest import SRO_PROCESSES, make_sqlite
from tests.integration.test_agenda import MONDAY, PASSWORD, Office


@pytest.fixture
def web_office(tmp_path: Path) -> Iterator[Office]:
    clock = SimulatedClock(MONDAY)
    services = make_sqlite(tmp_path / "kalender.sqlite3", clock, SRO_PROCESSES)
    workplace = Workplace(services)
    for username, role, team in (("anna", "ifk", "nord"), ("bert", "ifk", "nord"), ("tina", "teamleitung", "nord"),
                                 ("sven", "ifk", "sued")):
        workplace.add_staff(username, username.capitalize(), role, PASSWORD, team=team)
    yield Office(services, clock, workplace, Agenda(workplace), Caseload(workplace))
    services.engine.database.dispose()


