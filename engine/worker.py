"""The timer worker's loop: fire what is due, report, wait, again (`sro worker`, `sro serve --with-worker`).

Due timers fire oldest first (Services.fire_due_timers), on PostgreSQL up to TIMER_BATCH instances per transaction,
on SQLite one: a worker killed mid-sweep loses at most the batch it was firing, and that was never committed: the
next sweep fires it. When nothing
is due the pause doubles up to MAX_PAUSE; when the database is gone the worker says so in German and tries again
with the same growing pause, so it recovers by itself when the database is back.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from engine.services import Services
from engine.settings import database_problem

BATCH = 500
MAX_PAUSE = 30.0  # seconds: the longest a due timer waits for an idle worker


def fire_timers(services: Services, *, interval: float = 1.0, once: bool = False,
                report: Callable[[str], None] = print, sleep: Callable[[float], None] = time.sleep,
                max_pause: float = MAX_PAUSE) -> int:
    """Fire due timers in batches; with `once`, stop when nothing more is due now. Returns how many fired."""
    total = 0
    pause = interval
    while True:
        try:
            fired = services.fire_due_timers(limit=BATCH, pass_failing=True)
        except SQLAlchemyError as error:
            if once:
                raise
            report(f"Zeitgeber: {database_problem(error)} Neuer Versuch in {pause:g} s.")
            sleep(pause)
            pause = min(pause * 2, max(max_pause, interval))
            continue
        total += fired
        for failure in services.new_timer_failures():
            report(f"Zeitgeber: {failure}")
        if fired:
            report(f"{fired} Zeitereignis(se) ausgelöst.")
        if fired >= BATCH:
            pause = interval
            continue
        if once:
            return total
        sleep(pause)
        pause = interval if fired else min(pause * 2, max(max_pause, interval))


def keep_firing(services: Services, *, interval: float = 1.0, report: Callable[[str], None] = print) -> None:
    """The loop for a thread beside the web app: an error is reported and the loop goes on."""
    while True:
        try:
            services.fire_due_timers(limit=BATCH, pass_failing=True)
            for failure in services.new_timer_failures():
                report(f"Zeitgeber: {failure}")
        except Exception as error:  # keep the web app's timers alive; report and retry
            report(f"Zeitgeber: {error}")
        time.sleep(interval)
