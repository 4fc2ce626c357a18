"""The timer worker's loop: fire what is due, report, wait, again (`sro worker`, `sro serve --with-worker`)."""

from __future__ import annotations

import time
from collections.abc import Callable

from engine.services import Services

BATCH = 500


def fire_timers(services: Services, *, interval: float = 1.0, once: bool = False,
                report: Callable[[str], None] = print) -> int:
    """Fire due timers in batches; with `once`, stop when nothing more is due now. Returns how many fired."""
    total = 0
    while True:
        fired = services.fire_due_timers(limit=BATCH)
        total += fired
        if fired:
            report(f"{fired} Zeitereignis(se) ausgelöst.")
        if fired < BATCH:
            if once:
                return total
            time.sleep(interval)


def keep_firing(services: Services, *, interval: float = 1.0, report: Callable[[str], None] = print) -> None:
    """The loop for a thread beside the web app: an error is reported and the loop goes on."""
    while True:
        try:
            services.fire_due_timers(limit=BATCH)
        except Exception as error:  # keep the web app's timers alive; report and retry
            report(f"Zeitgeber: {error}")
        time.sleep(interval)
