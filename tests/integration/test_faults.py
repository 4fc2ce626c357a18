"""Faults injected into a running service on a PostgreSQL of its own (issue 12): initdb into a temporary folder, its
own port on 127.0.0.1. A timer worker killed with SIGKILL mid-sweep loses no timer and fires none twice; PostgreSQL
stopped and started again under a running worker: the worker says so in German and finishes by itself, the health
endpoint answers 503 in German meanwhile and 200 afterwards."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.bootstrap import bootstrap
from engine.runtime.clock import SimulatedClock
from engine.runtime.store import Event, ProcessInstance, Wait
from engine.services import Services
from engine.workplace.commands import Workplace
from tests.conftest import PROCESSES, START
from tests.cycle import session_form, task_at, today
from web import create_app

SRO = Path(sys.executable).with_name("sro")
CASES = 300
PASSWORD = "Sicher-und-lang-2025"


def _bin(name: str) -> str | None:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(found[-1]) if found else shutil.which(name)


@dataclass
class OwnPostgres:
    folder: Path
    port: int
    as_user: list[str]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres?connect_timeout=3"

    def ctl(self, *arguments: str) -> None:
        subprocess.run([*self.as_user, str(_bin("pg_ctl")), "-D", str(self.folder / "data"), "-w", *arguments],
                       check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        self.ctl("-l", str(self.folder / "log"), "-o",
                 f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self, mode: str = "fast") -> None:
        self.ctl("-m", mode, "stop")


@pytest.fixture(scope="module")
def own_postgres() -> Iterator[OwnPostgres]:
    initdb = _bin("initdb")
    if initdb is None or _bin("pg_ctl") is None:
        pytest.skip("initdb/pg_ctl nicht gefunden (PostgreSQL-Server-Pakete)")
    folder = Path(tempfile.mkdtemp(prefix="sro-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    subprocess.run([*as_user, initdb, "-D", str(folder / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                    "--no-sync"], check=True, capture_output=True, timeout=120)
    server = OwnPostgres(folder, port, as_user)
    server.start()
    try:
        yield server
    finally:
        server.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def due_timers(own_postgres: OwnPostgres) -> Iterator[Services]:
    """CASES cases, each waiting at a timer that is due (simulated 2025; the workers run on the system clock)."""
    services = bootstrap(own_postgres.url, clock=SimulatedClock(START))
    with services.engine.database.engine.begin() as connection:  # a fresh database per test
        connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    services.engine.database.dispose()
    services = bootstrap(own_postgres.url, clock=SimulatedClock(START))
    services.deploy([PROCESSES])
    Workplace(services).add_staff("ifk-1", "Ida Eins", "ifk", PASSWORD, team="team-nord")
    for number in range(CASES):
        case_id = services.start_case(f"K-{number:05d}", "team-nord", data={"naechsterKontaktAm": today(services)},
                                      actor="test").case_id
        services.complete_task(task_at(services, case_id, "Task_Beratungsgespraech"), session_form(services),
                               actor="test")
    yield services
    services.engine.database.dispose()


def fired_so_far(services: Services) -> int:
    with services.engine.database.session() as session:
        return int(session.scalar(select(func.count(Event.id)).where(Event.kind == "frist_abgelaufen")) or 0)


def assert_each_fired_once(services: Services) -> None:
    with services.engine.database.session() as session:
        fired = Counter(session.scalars(select(Event.case_id).where(Event.kind == "frist_abgelaufen")))
        assert len(fired) == CASES and set(fired.values()) == {1}
        assert session.scalar(select(func.count(Wait.id)).where(Wait.kind == "timer")) == 0
        assert set(session.scalars(select(ProcessInstance.version))) == {3}  # nothing half-written or saved twice


def worker(url: str, *arguments: str) -> subprocess.Popen[str]:
    return subprocess.Popen([str(SRO), "worker", *arguments], env={**os.environ, "DATABASE_URL": url},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_until(condition: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "zu lange gewartet"
        time.sleep(0.05)


def test_a_timer_worker_killed_mid_sweep_loses_no_timer_and_fires_none_twice(
        own_postgres: OwnPostgres, due_timers: Services) -> None:
    victim = worker(own_postgres.url, "--once")
    wait_until(lambda: fired_so_far(due_timers) >= 20, 60)
    assert victim.poll() is None, "the sweep ended before the kill; the test proves nothing"
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    by_victim = fired_so_far(due_timers)
    assert 20 <= by_victim < CASES
    survivor = worker(own_postgres.url, "--once")
    output = survivor.communicate(timeout=300)[0]
    assert survivor.returncode == 0, output
    assert f"Insgesamt {CASES - by_victim} Zeitereignis(se) ausgelöst." in output
    assert_each_fired_once(due_timers)


def test_postgresql_restarted_under_a_running_worker_and_the_service_recovers(
        own_postgres: OwnPostgres, due_timers: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SRO_SECRET_KEY", "faults-" + "7" * 57)
    app = create_app(due_timers, {"SESSION_COOKIE_SECURE": False, "WTF_CSRF_ENABLED": False})
    health, ifk = app.test_client(), app.test_client()
    assert health.get("/gesundheit").status_code == 200
    assert ifk.post("/anmelden", data={"benutzer": "ifk-1", "passwort": PASSWORD}).status_code == 302
    assert ifk.get("/eingang").status_code == 200
    running = worker(own_postgres.url, "--interval", "0.2")
    try:
        wait_until(lambda: fired_so_far(due_timers) >= 20, 60)
        own_postgres.stop("fast")
        down = health.get("/gesundheit")
        assert down.status_code == 503
        assert down.get_json()["grund"].startswith("Die Datenbank ist nicht erreichbar.")
        page = ifk.get("/eingang")
        assert page.status_code == 503
        assert "Die Datenbank ist gerade nicht erreichbar. Es wurde nichts gespeichert." in page.get_data(as_text=True)
        assert "psycopg" not in page.get_data(as_text=True) and "OperationalError" not in page.get_data(as_text=True)
        time.sleep(1.5)  # the worker meets the closed database at least once
        own_postgres.start()
        wait_until(lambda: fired_so_far(due_timers) == CASES, 120)
        assert health.get("/gesundheit").status_code == 200
        assert ifk.get("/eingang").status_code == 200  # the same session, the pool reconnected by itself
    finally:
        running.terminate()
        output = running.communicate(timeout=30)[0]
    assert "Zeitgeber: Die Datenbank ist nicht erreichbar." in output, output
    assert "Traceback" not in output
    assert_each_fired_once(due_timers)
