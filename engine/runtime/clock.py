"""Clocks owned by the engine: the system clock in production, a simulated clock for tests and QA."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class SimulatedClock:
    """A clock that only moves when told to; six months pass in a method call.

    Each instance is independent: no process-global state is patched, so two simulations
    (or a simulation beside production) never disturb each other.
    """

    def __init__(self, start: datetime) -> None:
        self._now = aware(start)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        moment = aware(moment)
        if moment < self._now:
            raise ValueError("Die simulierte Uhr kann nicht zurückgestellt werden.")
        self._now = moment

    def advance(self, step: timedelta | str) -> datetime:
        from engine.runtime.durations import add_duration

        moment = self._now + step if isinstance(step, timedelta) else add_duration(self._now, step)
        self.set(moment)
        return self._now


def aware(moment: datetime) -> datetime:
    """Refuse naive datetimes rather than guess a zone (SpiffWorkflow guesses the server's offset)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"Zeitpunkt ohne Zeitzone: {moment.isoformat()}")
    return moment.astimezone(UTC)
