"""`sro bench --durchsatz`: task completions per second and the sweep of due timers (issue 12).

The caseload is the workplace benchmark's (real template cases cloned), built in the empty database of DATABASE_URL
with every date moved half a year into the past: on the system clock every timer of it is due. Each measurement
runs on its own copy of that database (PostgreSQL: CREATE DATABASE ... TEMPLATE; SQLite: a copy of the file), so
every run starts from the same rows. Task completions: P processes each complete their share of the open
counselling-session tasks through `Services.complete_task` (the workplace's command: one transaction each, with
event log, projections and case columns), as fast as they can. Timer sweep: W processes `sro worker --once` (the
product's worker; PostgreSQL takes due rows with SKIP LOCKED) fire every due timer. Reported: commands per second
over the run (wall time from the first process started to the last one done), and for the sweep also per second
between the first and the last `frist_abgelaufen` event (the workers' start-up left out), the 1-minute load average
before and after each run, and the checks: every task done once, every due timer fired once and none left due.
The driver, the processes and the database share the machine's cores: the figures are those of the whole machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

SRO = Path(sys.executable).with_name("sro")
DAYS_BACK = 182  # the caseload's "now" half a year ago: its plan timers and reviews are all due today
ACTOR = "bench-ifk"


def build(cases: int) -> dict[str, Any]:
    from sro_benchmarks.load import build as build_caseload

    begin = time.perf_counter()
    plan, _ = build_caseload(cases, 250, days_back=DAYS_BACK)
    return {"cases": cases, "ifk": plan.ifk_count, "caseload_built_s": round(time.perf_counter() - begin, 1)}


@contextmanager
def copy_of(url: str, name: str) -> Iterator[str]:
    """A copy of the database of `url` for one run, dropped afterwards."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        source = Path(parsed.database or "")
        target = source.with_name(f"{source.stem}_{name}{source.suffix}")
        # The journal files of an earlier copy of that name (a run killed before it closed) would be read as part
        # of this one; the source's own are empty once the build closed its connections (SQLite checkpoints then).
        sidecars = [target.with_name(target.name + suffix) for suffix in ("-wal", "-shm", "-journal")]
        for stale in sidecars:
            stale.unlink(missing_ok=True)
        shutil.copyfile(source, target)
        try:
            yield parsed.set(database=str(target)).render_as_string(hide_password=False)
        finally:
            for path in (target, *sidecars):
                path.unlink(missing_ok=True)
        return
    copy = f"{parsed.database}_{name}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{copy}"'))
            # PostgreSQL 15 copies a template through the WAL by default: 1.7 GB of it for the 100,000-case
            # caseload, more than max_wal_size, so the checkpoints it causes would write during the measured run.
            # FILE_COPY copies the files and checkpoints before and after: the run starts on a settled server.
            version = connection.dialect.server_version_info or (0,)
            strategy = " STRATEGY = FILE_COPY" if version >= (15,) else ""
            connection.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{parsed.database}"{strategy}'))
        try:
            yield parsed.set(database=copy).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _session_tasks(url: str, limit: int) -> list[tuple[int, str]]:
    from engine.bootstrap import bootstrap
    from engine.runtime.store import OpenTask
    from sro_benchmarks.counsellor import SESSION

    services = bootstrap(url, migrate=False)
    try:
        with services.reading() as session:
            rows = session.execute(select(OpenTask.case_id, OpenTask.id).where(OpenTask.element_id == SESSION)
                                   .order_by(OpenTask.case_id).limit(limit)).all()
        return [(row.case_id, row.id) for row in rows]
    finally:
        services.engine.database.dispose()


def _complete(arguments: tuple[str, list[str]]) -> tuple[int, list[str], float, float]:
    """One process: completes its tasks with a session that agrees a plan. Returns completions, refusals and the
    wall-clock moments of its first and last command (the process's start-up left out)."""
    from engine.bootstrap import bootstrap, settle_long_running_process
    from engine.runtime.errors import EngineError
    from sro_benchmarks.counsellor import session

    url, task_ids = arguments
    services = bootstrap(url, migrate=False)
    settle_long_running_process()  # as each `sro serve` worker does once it is built
    done, refused = 0, []
    first = services.clock.now().timestamp()
    try:
        for task_id in task_ids:
            command = session(services.clock.today(), first=False, answers={}, contact="folgetermin_praesenz",
                              contact_in_days=14)
            try:
                services.complete_task(task_id, command.form, actor=ACTOR)
                done += 1
            except EngineError as error:
                refused.append(f"{type(error).__name__}: {error}"[:200])
    finally:
        last = services.clock.now().timestamp()
        services.engine.database.dispose()
    return done, refused, first, last


def completions(url: str, processes: int, tasks: int) -> dict[str, Any]:
    from engine.runtime.store import Event

    with copy_of(url, f"abschluss{processes}") as copy:
        chosen = _session_tasks(copy, tasks)
        shares = [[task_id for number, (_, task_id) in enumerate(chosen) if number % processes == worker]
                  for worker in range(processes)]
        load_before = os.getloadavg()[0]
        begin = time.perf_counter()
        with get_context("spawn").Pool(processes) as pool:
            results = pool.map(_complete, [(copy, share) for share in shares])
        elapsed = time.perf_counter() - begin
        load_after = os.getloadavg()[0]
        engine = create_engine(copy)
        try:
            with engine.connect() as connection:
                logged = connection.scalar(select(func.count()).select_from(Event).where(
                    Event.kind == "aufgabe_erledigt", Event.actor == ACTOR))
        finally:
            engine.dispose()
    done = sum(result[0] for result in results)
    refused = [reason for result in results for reason in result[1]]
    span = max(result[3] for result in results) - min(result[2] for result in results)
    return {"processes": processes, "tasks": len(chosen), "completed": done, "refused": len(refused),
            "first_refusals": refused[:3], "event_log_rows": logged, "seconds_with_start": round(elapsed, 2),
            "completions_per_s_with_start": round(done / elapsed, 1), "seconds_first_to_last": round(span, 2),
            "completions_per_s": round(done / span, 1) if span else None,
            "load_average_1min_before_after": [round(load_before, 2), round(load_after, 2)]}


def sweep(url: str, workers: int) -> dict[str, Any]:
    from engine.runtime.clock import SystemClock
    from engine.runtime.store import Event, Wait

    with copy_of(url, f"zeitgeber{workers}") as copy:
        engine = create_engine(copy)
        try:
            started = SystemClock().now()
            with engine.connect() as connection:
                due_before = connection.scalar(select(func.count()).select_from(Wait).where(
                    Wait.kind == "timer", Wait.due_at <= started))
            environment = {**os.environ, "DATABASE_URL": copy, "SRO_LOG_FORMAT": "text"}
            load_before = os.getloadavg()[0]
            begin = time.perf_counter()
            running = [subprocess.Popen([str(SRO), "worker", "--once"], env=environment,  # noqa: S603
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                       for _ in range(workers)]
            outputs = [process.communicate(timeout=3600) for process in running]
            elapsed = time.perf_counter() - begin
            load_after = os.getloadavg()[0]
            failed = [error[-300:] for process, (_, error) in zip(running, outputs, strict=True)
                      if process.returncode != 0]
            with engine.connect() as connection:
                fired = connection.execute(select(Event.instance_id, Event.element_id, Event.data, Event.at)
                                           .where(Event.kind == "frist_abgelaufen", Event.at >= started)).all()
                due_after = connection.scalar(select(func.count()).select_from(Wait).where(
                    Wait.kind == "timer", Wait.due_at <= started))
        finally:
            engine.dispose()
    once = Counter((row.instance_id, row.element_id, str(row.data)) for row in fired)
    moments = sorted(row.at for row in fired)
    span = (moments[-1] - moments[0]).total_seconds() if len(moments) > 1 else 0.0
    cleared = (due_before or 0) - (due_after or 0)  # one command fires every timer of an instance that is due at once
    return {"timer_workers": workers, "due_before": due_before, "left_due": due_after, "timers_cleared": cleared,
            "commands": len(fired), "commands_twice": sum(1 for count in once.values() if count > 1),
            "worker_failures": failed, "seconds_with_start": round(elapsed, 2),
            "timers_per_s_with_start": round(cleared / elapsed, 1),
            "seconds_first_to_last": round(span, 2),
            "timers_per_s": round(cleared / span, 1) if span else None,
            "commands_per_s": round(len(fired) / span, 1) if span else None,
            "load_average_1min_before_after": [round(load_before, 2), round(load_after, 2)]}


def run(*, cases: int, processes: list[int], timer_workers: list[int], tasks: int) -> dict[str, Any]:
    from engine.bootstrap import configured_database_url

    url = configured_database_url()
    built = build(cases)
    return {"method": __doc__.split("\n\n")[1].replace("\n", " ") if __doc__ else "",
            "database": url.split("://", 1)[0], **built, "cores": os.cpu_count(),
            "completions": [completions(url, count, tasks) for count in processes],
            "sweeps": [sweep(url, count) for count in timer_workers]}
