"""`sro bench --load`: concurrent counsellors against `sro serve --workers N` over loopback (issue 12).

The caseload is the workplace benchmark's (real template cases cloned, 250 per IFK) in the database of DATABASE_URL,
which must be empty, built for the current week. For each number of web workers a gunicorn is started with `sro
serve --workers`, then for each number of users that many threads sign in as different IFK and, for the given
seconds, each in rounds opens its inbox, marks one of the follow-ups due there done (the inbox's own form: POST with
its CSRF token, answered 302; the redirect is not followed), opens one of its case files and its calendar week. After
each page a user waits a think time, drawn from an exponential distribution around the given mean (seeded per user;
mean 0: the next click comes the instant the answer is read, a saturation test); each user's first click comes
after a pause drawn uniformly within one mean think time, so the users do not all begin at the same instant.
Each run serves its own copy of the built database (PostgreSQL: CREATE DATABASE ... TEMPLATE; SQLite: a copy of
the file), so every run starts from the same rows: a run does not find the follow-ups an earlier one marked done.
Reported per page: requests, throughput and p50/p95/p99 in milliseconds, and the offered rate
users / (mean think time + mean response time); and the check, read from the run's copy, that every completion
answered 302 marked one follow-up done and left one audit row.
The driver runs on the same machine and shares its cores with the server and the database: the figures are those of
the whole machine, not of the server alone. The timer sweep is not part of this run.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sro_benchmarks.workplace.clones import PASSWORD, Plan

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
FOLLOW_UP_DONE = re.compile(r'formaction="/wiedervorlagen/(\d+)/erledigt"')
PAGES = ("inbox", "completion", "case_file", "calendar")
SRO = Path(sys.executable).with_name("sro")


def build(cases: int, per_ifk: int, *, days_back: int = 0) -> tuple[Plan, int]:
    """The workplace benchmark's caseload in DATABASE_URL; returns the plan and the first clone's case id.
    `days_back` moves the whole caseload that many days into the past (all its timers due: the sweep)."""
    from engine.bootstrap import bootstrap
    from engine.runtime.clock import SimulatedClock, SystemClock
    from sro_benchmarks import PROCESSES
    from sro_benchmarks.workplace.agenda import add_agenda
    from sro_benchmarks.workplace.checks import first_clone
    from sro_benchmarks.workplace.clones import add_staff, assign, clone_all, fix_sequences
    from sro_benchmarks.workplace.letters import add_invitation_letters
    from sro_benchmarks.workplace.templates import build_templates

    # The server runs on the system clock: the caseload is built for this week (templates begin on last week's
    # Monday, their "now" is a week later), so the inbox shows what is due now and not every date since 2025.
    today = SystemClock().now()
    monday = (today - timedelta(days=today.weekday() + 7 + days_back)).replace(hour=8, minute=0, second=0,
                                                                                microsecond=0)
    clock = SimulatedClock(monday)
    services = bootstrap(clock=clock)
    try:
        database = services.engine.database
        services.deploy([PROCESSES], actor="bench")
        templates = build_templates(services, clock)
        rng = random.Random(20251124)  # noqa: S311  (benchmark data, not security)
        owners = [number // per_ifk for number in range(cases)]
        rng.shuffle(owners)
        plan = Plan(templates, assign(templates, cases, rng), owners, per_ifk, clock.now(),
                    seed=rng.randrange(2**32))
        add_staff(database, plan.ifk_count, clock.now())
        clone_all(database, plan)
        fix_sequences(database)
        add_agenda(database, plan, first_clone(services), random.Random(plan.seed + 1))  # noqa: S311
        add_invitation_letters(services, first_clone(services))
        # Statistics as a running server has them: the rows came in bulk, and autovacuum may be off (it is on this
        # machine's PostgreSQL), so without ANALYZE the planner guesses a handful of rows per team and scans every
        # open task for the inbox (48 ms instead of 12 ms at 100,000 cases).
        with database.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        return plan, first_clone(services)
    finally:
        services.engine.database.dispose()


class User:
    """One counsellor's browser: the session cookie kept by hand (it is Secure, which urllib would not send
    over http://127.0.0.1)."""

    def __init__(self, port: int, username: str, case_ids: list[int]) -> None:
        self.port, self.username, self.case_ids = port, username, case_ids
        self.cookie = ""

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=data, headers=headers)
        answer = connection.getresponse()
        text = answer.read().decode()
        for name, value in answer.getheaders():
            if name.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        connection.close()
        return answer.status, text

    def sign_in(self) -> None:
        _, page = self.request("GET", "/anmelden")
        found = TOKEN.search(page)
        if found is None:
            raise RuntimeError("Die Anmeldeseite hat kein CSRF-Token.")
        status, _ = self.request("POST", "/anmelden", {"benutzer": self.username, "passwort": PASSWORD,
                                                       "csrf_token": found.group(1)})
        if status != 302:
            raise RuntimeError(f"Anmeldung von {self.username} fehlgeschlagen ({status}).")


class Claims:
    """Follow-ups already submitted by some user of the run: team members see the same items due today, and a
    browser's user would not mark done what a colleague just did."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.lock = threading.Lock()

    def claim(self, candidates: list[str], rng: random.Random) -> str | None:
        with self.lock:
            free = [candidate for candidate in candidates if candidate not in self.taken]
            if not free:
                return None
            chosen = rng.choice(free)
            self.taken.add(chosen)
            return chosen


def think_time(rng: random.Random, mean: float) -> float:
    """A counsellor's pause before the next click: exponential around `mean` seconds (0: no pause)."""
    return rng.expovariate(1 / mean) if mean > 0 else 0.0


def _drive(user: User, until: float, samples: dict[str, list[float]], errors: list[str], lock: threading.Lock,
           sizes: dict[str, list[tuple[int, int]]], *, think: float = 0.0, seed: int = 0,
           claims: Claims | None = None, waits: list[float] | None = None) -> None:
    rng = random.Random(seed)  # noqa: S311  (benchmark, not security)
    claims = claims or Claims()
    mine: dict[str, list[float]] = {name: [] for name in PAGES}
    shapes: dict[str, list[tuple[int, int]]] = {name: [] for name in PAGES}
    failed: list[str] = []
    paused: list[float] = []
    inbox = ""
    turn = 0
    # Users start at different moments within one think time, as people do, not all with the same first click.
    time.sleep(min(rng.uniform(0, think), max(0.0, until - time.perf_counter())))
    while time.perf_counter() < until:
        name = PAGES[turn % len(PAGES)]
        turn += 1
        method, body, expected = "GET", None, 200
        if name == "completion":
            token = TOKEN.search(inbox)
            chosen = claims.claim(FOLLOW_UP_DONE.findall(inbox), rng) if token else None
            if token is None or chosen is None:
                continue  # nothing due left in this inbox: the round goes on without a completion
            path, method, expected = f"/wiedervorlagen/{chosen}/erledigt", "POST", 302
            body = {"csrf_token": token.group(1), "zurueck": "/eingang"}
        else:
            path = {"inbox": "/eingang", "calendar": "/kalender"}.get(name) or f"/faelle/{rng.choice(user.case_ids)}"
        begin = time.perf_counter()
        try:
            status, page = user.request(method, path, body)
        except OSError as error:
            status, page = 0, str(error)
        elapsed = time.perf_counter() - begin
        if status != expected:
            failed.append(f"{name} {status}")
        else:
            mine[name].append(elapsed)
            shapes[name].append((len(page.encode()), page.count("<form")))
            if name == "inbox":
                inbox = page
        pause = think_time(rng, think)
        if pause:
            paused.append(pause)
            time.sleep(max(0.0, min(pause, until - time.perf_counter())))
    with lock:
        for name, values in mine.items():
            samples[name].extend(values)
            sizes[name].extend(shapes[name])
        errors.extend(failed)
        if waits is not None:
            waits.extend(paused)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(workers: int, port: int, url: str) -> subprocess.Popen[str]:
    environment = {**os.environ, "SRO_LOG_FORMAT": "text", "DATABASE_URL": url}
    server = subprocess.Popen([str(SRO), "serve", "--workers", str(workers), "--port", str(port)],  # noqa: S603
                              env=environment,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/gesundheit")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("Der Server ist nicht gestartet.")


def measure(plan: Plan, first_case: int, *, url: str, workers: int, users: int, seconds: float,
            think: float = 0.0) -> dict[str, Any]:
    from engine.runtime.clock import SystemClock

    port = _free_port()
    started = SystemClock().now()
    server = _serve(workers, port, url)
    try:
        people = []
        for ifk in range(min(users, plan.ifk_count)):
            own = [first_case + number for number, owner in enumerate(plan.owners) if owner == ifk][:20]
            people.append(User(port, plan.username(ifk), own))
        for person in people:
            person.sign_in()
        samples: dict[str, list[float]] = {name: [] for name in PAGES}
        errors: list[str] = []
        sizes: dict[str, list[tuple[int, int]]] = {name: [] for name in samples}
        lock = threading.Lock()
        claims, waits = Claims(), list[float]()
        until = time.perf_counter() + seconds
        threads = [threading.Thread(target=_drive, args=(person, until, samples, errors, lock, sizes),
                                    kwargs={"think": think, "seed": 20251205 + number, "claims": claims,
                                            "waits": waits})
                   for number, person in enumerate(people)]
        load_before = os.getloadavg()[0]
        begin = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - begin
        load_after = os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(timeout=60)
    total = sum(len(values) for values in samples.values())
    every = [value for values in samples.values() for value in values]
    marked_done, logged = _completions_recorded(url, started)
    return {"web_workers": workers, "users": len(people), "seconds": round(elapsed, 1),
            "think_time_mean_s": think, "think_time_drawn_mean_s": round(sum(waits) / len(waits), 3) if waits else 0.0,
            "offered_per_s": offered(len(people), think, every),
            "requests_per_s": round(total / elapsed, 1),
            "load_average_1min_before_after": [round(load_before, 2), round(load_after, 2)],
            "errors": len(errors), "first_errors": errors[:5],
            "follow_ups_marked_done": marked_done, "audit_rows_of_completions": logged,
            "pages": {name: {"requests": len(values), "per_s": round(len(values) / elapsed, 1),
                             **percentiles(values), **shape(sizes[name])} for name, values in samples.items()}}


def _completions_recorded(url: str, since: Any) -> tuple[int, int]:
    """The follow-ups marked done in the run's database since it began, and their rows in the audit trail."""
    from sqlalchemy import create_engine, func, select

    from engine.domain.agenda import FollowUp
    from engine.runtime.store import Event

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            done = connection.scalar(select(func.count()).select_from(FollowUp).where(FollowUp.done_at >= since))
            logged = connection.scalar(select(func.count()).select_from(Event).where(
                Event.kind == "wiedervorlage_erledigt", Event.at >= since))
    finally:
        engine.dispose()
    return done or 0, logged or 0


def offered(users: int, think: float, responses: list[float]) -> float:
    """The rate the users ask for: users / (mean think time + mean response time), requests per second."""
    if not responses:
        return 0.0
    return round(users / (think + sum(responses) / len(responses)), 1)


def shape(sizes: list[tuple[int, int]]) -> dict[str, int]:
    """The largest answer of a page in bytes and the most forms it held (the inbox grows with what is due)."""
    if not sizes:
        return {}
    return {"max_bytes": max(size for size, _ in sizes), "max_forms": max(forms for _, forms in sizes)}


def percentiles(seconds: list[float]) -> dict[str, float]:
    """p50, p95, p99 (nearest rank) in milliseconds."""
    if not seconds:
        return {}
    ordered = sorted(seconds)

    def rank(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] * 1000, 1)

    return {"p50_ms": rank(0.50), "p95_ms": rank(0.95), "p99_ms": rank(0.99)}


def run(*, cases: int, per_ifk: int, workers: list[int], users: list[int], seconds: float,
        think: list[float] | None = None) -> dict[str, Any]:
    from engine.bootstrap import configured_database_url
    from sro_benchmarks.throughput import copy_of

    url = configured_database_url()
    begin = time.perf_counter()
    plan, first_case = build(cases, per_ifk)
    built = time.perf_counter() - begin
    runs: list[dict[str, Any]] = []
    for count in workers:
        for people in users:
            for mean in think or [0.0]:
                with copy_of(url, f"last{len(runs) + 1}") as copy:
                    runs.append(measure(plan, first_case, url=copy, workers=count, users=people, seconds=seconds,
                                        think=mean))
    return {"method": __doc__.split("\n\n")[1].replace("\n", " ") if __doc__ else "",
            "database": url.split("://", 1)[0], "cases": cases, "ifk": plan.ifk_count,
            "caseload_built_s": round(built, 1), "cores": os.cpu_count(), "runs": runs}
