"""Faults injected into a running service on a PostgreSQL of its own (issue 12): initdb into a temporary folder, its
own port on 127.0.0.1. A timer worker killed with SIGKILL mid-sweep loses no timer and fires none twice; PostgreSQL
stopped and started again under a running worker: the worker says so in German and finishes by itself, the health
endpoint answers 503 in German meanwhile and 200 afterwards. On gunicorn: a web worker killed with SIGKILL while it
completes a task leaves the instance as it was (nothing half-written) and the retry works; PostgreSQL restarted while
users load pages: every answer is 200 or the German 503 page, never a 500, and the service recovers by itself."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from engine.bootstrap import bootstrap
from engine.runtime.clock import SimulatedClock, SystemClock
from engine.runtime.store import Event, OpenTask, ProcessInstance, Wait
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


# --------------------------------------------------------------------------- gunicorn


@dataclass
class Served:
    server: subprocess.Popen[str]
    port: int

    def workers(self) -> set[int]:
        found = subprocess.run(["pgrep", "-P", str(self.server.pid)], capture_output=True, text=True,
                               check=False).stdout.split()
        return {int(pid) for pid in found}


def fresh(own_postgres: OwnPostgres) -> Services:
    """An empty database with the engine's test diagrams and the IFK ifk-1 on the system clock (as served)."""
    services = bootstrap(own_postgres.url)
    with services.engine.database.engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    services.engine.database.dispose()
    services = bootstrap(own_postgres.url)
    services.deploy([PROCESSES])
    Workplace(services).add_staff("ifk-1", "Ida Eins", "ifk", PASSWORD, team="team-nord")
    return services


def serve(own_postgres: OwnPostgres, folder: Path, workers: int) -> Served:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    environment = {**os.environ, "DATABASE_URL": own_postgres.url, "SRO_VAR": str(folder),
                   "SRO_SECRET_KEY": "faults-" + "7" * 57, "SRO_LOG_FORMAT": "text"}
    server = subprocess.Popen([str(SRO), "serve", "--workers", str(workers), "--port", str(port)],
                              env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    served = Served(server, port)
    wait_until(lambda: _status(served, "/gesundheit") == 200 and len(served.workers()) == workers, 60)
    return served


def _status(served: Served, path: str) -> int:
    from sro_benchmarks.load import User

    try:
        return User(served.port, "", []).request("GET", path)[0]
    except OSError:
        return 0


def signed_in(served: Served) -> object:
    from sro_benchmarks.load import TOKEN, User

    user = User(served.port, "ifk-1", [])
    token = TOKEN.search(user.request("GET", "/anmelden")[1])
    assert token is not None
    status, _ = user.request("POST", "/anmelden", {"benutzer": "ifk-1", "passwort": PASSWORD,
                                                   "csrf_token": token.group(1)})
    assert status == 302
    return user


def web_session_form() -> dict[str, str]:
    day = SystemClock().today()
    return {"gespraechsart": "praesenz", "planVereinbart": "true", "planLaufzeit": "P14D",
            "naechsterKontakt": "wiedervorlage", "naechsterKontaktAm": (day + timedelta(days=8)).isoformat(),
            "schrittBeschreibung": "Drei Bewerbungen schreiben",
            "schrittFaellig": (day + timedelta(days=7)).isoformat()}


def test_a_web_worker_killed_while_it_completes_a_task_leaves_nothing_half_written(
        own_postgres: OwnPostgres, tmp_path: Path) -> None:
    from sro_benchmarks.load import TOKEN

    services = fresh(own_postgres)
    case_id = services.start_case("K-00001", "team-nord", data={"naechsterKontaktAm": today(services)},
                                  actor="test").case_id
    task = task_at(services, case_id, "Task_Beratungsgespraech")
    served = serve(own_postgres, tmp_path, workers=1)
    blocker = create_engine(own_postgres.url)
    try:
        user = signed_in(served)
        page = user.request("GET", f"/aufgaben/{task}")[1]  # type: ignore[attr-defined]
        token = TOKEN.search(page)
        assert token is not None
        form = {**web_session_form(), "csrf_token": token.group(1)}
        # Hold the case row: the request runs the engine step and writes instance, tasks, waits and the event log
        # row, then waits for the case row (its last statement) -- killed there, it is as far into the
        # transaction as it gets without committing.
        with blocker.connect() as holder:
            holder.execute(text("SELECT id FROM cases WHERE id = :id FOR NO KEY UPDATE"), {"id": case_id})
            answers: list[object] = []

            def post() -> None:
                try:
                    answers.append(user.request("POST", f"/aufgaben/{task}", form)[0])  # type: ignore[attr-defined]
                except OSError as error:  # the worker died with the connection open
                    answers.append(type(error).__name__)

            sender = threading.Thread(target=post)
            sender.start()
            holder_pid = holder.execute(text("SELECT pg_backend_pid()")).scalar()
            waiting = text("SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> :holder")
            with blocker.connect().execution_options(isolation_level="AUTOCOMMIT") as watcher:  # fresh statistics
                wait_until(lambda: watcher.execute(waiting, {"holder": holder_pid}).first() is not None, 30)
                blocked = watcher.execute(waiting, {"holder": holder_pid}).scalar()
                # Where it waits: it has updated the instance and written the event log row in its transaction.
                written = set(watcher.execute(text(
                    "SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                    "WHERE l.pid = :pid AND l.granted AND l.mode = 'RowExclusiveLock'"), {"pid": blocked}).scalars())
                assert {"process_instances", "open_tasks", "events"} <= written, written
                with services.engine.database.session() as session:  # its writes are not visible
                    assert session.scalar(select(func.count(Event.id)).where(Event.kind == "aufgabe_erledigt")) == 0
                [victim] = served.workers()
                os.kill(victim, signal.SIGKILL)
                sender.join(timeout=30)
                holder.rollback()  # the case row is free again: the dead client's backend ends its transaction
                wait_until(lambda: watcher.execute(waiting, {"holder": holder_pid}).first() is None, 30)
                idle = text("SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in transaction%' "
                            "OR wait_event_type = 'Lock'")
                wait_until(lambda: watcher.execute(idle).scalar() == 0, 30)
        assert answers and answers[0] != 302, answers
        with services.engine.database.session() as session:
            assert session.scalar(select(func.count(Event.id)).where(Event.kind == "aufgabe_erledigt")) == 0
            assert list(session.scalars(select(OpenTask.id).where(OpenTask.case_id == case_id))) == [task]
            assert session.scalar(select(ProcessInstance.version).where(ProcessInstance.case_id == case_id)) == 1
            assert session.scalar(select(func.count(Wait.id)).where(Wait.kind == "timer")) == 0

        wait_until(lambda: len(served.workers() - {victim}) == 1, 30)  # the master started a new worker
        page = user.request("GET", f"/aufgaben/{task}")[1]  # type: ignore[attr-defined]
        token = TOKEN.search(page)
        assert token is not None
        status, _ = user.request("POST", f"/aufgaben/{task}",  # type: ignore[attr-defined]
                                 {**web_session_form(), "csrf_token": token.group(1)})
        assert status == 302
        with services.engine.database.session() as session:
            done = session.execute(select(Event.actor, Event.case_id).where(Event.kind == "aufgabe_erledigt")).all()
            assert [tuple(row) for row in done] == [("ifk-1", case_id)]
            assert task not in set(session.scalars(select(OpenTask.id).where(OpenTask.case_id == case_id)))
            assert session.scalar(select(ProcessInstance.version).where(ProcessInstance.case_id == case_id)) == 2
    finally:
        blocker.dispose()
        served.server.terminate()
        served.server.wait(timeout=30)
        services.engine.database.dispose()


def test_postgresql_restarted_while_users_load_pages_gives_german_503_never_500_and_recovers(
        own_postgres: OwnPostgres, tmp_path: Path) -> None:
    services = fresh(own_postgres)
    for number in range(20):
        services.start_case(f"K-{number:05d}", "team-nord", data={"naechsterKontaktAm": today(services)}, actor="test")
    services.engine.database.dispose()
    served = serve(own_postgres, tmp_path, workers=2)
    answers: list[tuple[float, str, int, bool]] = []
    stop = threading.Event()

    def browse(user: object) -> None:
        while not stop.is_set():
            for path in ("/eingang", "/gesundheit"):
                try:
                    status, body = user.request("GET", path)  # type: ignore[attr-defined]
                except OSError:
                    status, body = 0, ""
                german = "Die Datenbank ist gerade nicht erreichbar" in body or "nicht erreichbar" in body
                answers.append((time.monotonic(), path, status, german))

    try:
        users = [signed_in(served) for _ in range(3)]
        browsers = [threading.Thread(target=browse, args=(user,)) for user in users]
        for browser in browsers:
            browser.start()
        time.sleep(1.0)
        own_postgres.stop("fast")
        stopped = time.monotonic()
        time.sleep(2.0)
        restarting = time.monotonic()
        own_postgres.start()
        started = time.monotonic()
        wait_until(lambda: [status for _, path, status, _ in answers[-6:]] == [200] * 6, 30)
        recovered = time.monotonic()
        time.sleep(0.5)
        stop.set()
        for browser in browsers:
            browser.join(timeout=30)
    finally:
        stop.set()
        served.server.terminate()
        served.server.wait(timeout=30)
        services.engine.database.dispose()
    statuses = Counter(status for _, _, status, _ in answers)
    assert set(statuses) <= {200, 503}, statuses  # no 500, no dropped connection
    during = [(path, status, german) for at, path, status, german in answers if stopped + 0.2 < at < restarting]
    assert during and all(status == 503 and german for _, status, german in during), [
        answer for answer in during if answer[1:] != (503, True)]
    assert {path for path, _, _ in during} == {"/eingang", "/gesundheit"}
    assert recovered - started < 15
    after = [status for at, _, status, _ in answers if at > recovered]
    assert after and set(after) == {200}
