"""Shared fixtures: a simulated clock, services on a fresh SQLite file or a private PostgreSQL schema."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from engine.bootstrap import bootstrap
from engine.runtime.clock import SimulatedClock
from engine.runtime.store import Database
from engine.services import Services

ROOT = Path(__file__).resolve().parent.parent
# The engine tests run the one-pass counselling cycle of issue 2; the SRO model has its own tests.
PROCESSES = ROOT / "tests" / "fixtures" / "engine"
SRO_PROCESSES = ROOT / "processes"
START = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)  # a Monday
POSTGRES_URL = os.environ.get("SRO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# A few seconds or more each (pytest --durations); `make unit` leaves them out, `make test` runs them.
SLOW = (
    "tests/integration/test_timer_workers.py",  # two worker processes share 1,000 due timers
    "tests/integration/test_serve.py",  # gunicorn with two worker processes
    "tests/integration/test_bench_load.py",  # a caseload, gunicorn and a short load run
    "tests/integration/test_faults.py",  # a PostgreSQL of its own, stopped and restarted; workers killed
    "tests/integration/test_bench_workplace.py",  # a caseload of 2,000 cloned cases
    "tests/integration/test_demo.py",  # the demo caseload
    "tests/integration/test_projection.py",  # months of a simulated caseload
    "tests/integration/test_ten_years.py",  # ten simulated years of one case
    "tests/integration/test_simulation_page.py::test_run_all_scenarios_from_the_page",
    "tests/integration/test_explore.py::test_the_shipped_scenarios_leave_nothing_uncovered",
    "tests/browser/",  # Chromium
    "tests/e2e/",  # Chromium against a served app
)
SUITES = {"tests/browser/": "browser", "tests/e2e/": "e2e"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks: `postgres` on every test that talks to PostgreSQL (the schema fixture, or the
    "postgresql" variant of a parametrised fixture), `slow` on SLOW, `browser`/`e2e` by folder."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        variants = callspec.params.values() if callspec is not None else ()
        if "postgres_schema" in getattr(item, "fixturenames", ()) or "postgresql" in variants:
            item.add_marker(pytest.mark.postgres)
        if item.nodeid.startswith(SLOW):
            item.add_marker(pytest.mark.slow)
        for folder, marker in SUITES.items():
            if item.nodeid.startswith(folder):
                item.add_marker(marker)


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    """One Playwright driver for the whole run: the sync API allows only one per thread."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(START)


def make_sqlite(path: Path, clock: SimulatedClock, processes: Path = PROCESSES, **options: Any) -> Services:
    """Services on a fresh SQLite file with the diagrams of `processes` deployed."""
    services = bootstrap(f"sqlite:///{path}", clock=clock, **options)
    services.deploy([processes])
    return services


class PostgresSchema:
    """A private schema per test, so parallel runs (and CI beside a developer) never collide."""

    def __init__(self) -> None:
        self.name = f"sro_test_{uuid.uuid4().hex[:12]}"
        self.admin = create_engine(POSTGRES_URL)
        with self.admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{self.name}"'))

    def database(self) -> Database:
        return Database(POSTGRES_URL, connect_args={"options": f"-csearch_path={self.name}"})

    def drop(self) -> None:
        with self.admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{self.name}" CASCADE'))
        self.admin.dispose()


@pytest.fixture
def postgres_schema() -> Iterator[PostgresSchema]:
    if not POSTGRES_URL:
        pytest.skip("SRO_TEST_POSTGRES_URL ist leer gesetzt")
    schema = PostgresSchema()
    try:
        yield schema
    finally:
        schema.drop()


def make_postgres(schema: PostgresSchema, clock: SimulatedClock) -> Services:
    services = bootstrap(database=schema.database(), clock=clock)
    services.deploy([PROCESSES])
    return services


@pytest.fixture(params=["sqlite", "postgresql"])
def services(request: pytest.FixtureRequest, tmp_path: Path, clock: SimulatedClock) -> Iterator[Services]:
    """The same tests on the embedded default and on the production database."""
    if request.param == "sqlite":
        result = make_sqlite(tmp_path / "sro.sqlite3", clock)
        yield result
        result.engine.database.dispose()
    else:
        schema = request.getfixturevalue("postgres_schema")
        result = make_postgres(schema, clock)
        yield result
        result.engine.database.dispose()


@pytest.fixture
def sqlite_services(tmp_path: Path, clock: SimulatedClock) -> Iterator[Services]:
    result = make_sqlite(tmp_path / "sro.sqlite3", clock)
    yield result
    result.engine.database.dispose()
