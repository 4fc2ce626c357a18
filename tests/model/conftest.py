"""Services on the shipped SRO diagrams, the clock on Monday 3 March 2025 (Bürgergeld law applies)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.runtime.clock import SimulatedClock
from engine.services import Services
from tests.conftest import SRO_PROCESSES, make_sqlite

MONDAY = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    result = make_sqlite(tmp_path / "sro.sqlite3", SimulatedClock(MONDAY), SRO_PROCESSES)
    yield result
    result.engine.database.dispose()
