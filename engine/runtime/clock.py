"""Clocks owned by the engine: the system clock in production, a simulated clock for tests and QA.

Nothing else in the product reads the wall clock (a ruff rule refuses `datetime.now()` and
`date.today()` everywhere but here): whoever needs the time gets a clock, so a test or a QA
simulation can make six months pass in a method call.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


def berlin_date(moment: datetime) -> date:
    """The calendar day a moment falls on in Berlin (the job centre's day)."""
    return moment.astimezone(BERLIN).date()


class Clock(ABC):
    @abstractmethod
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""

    def today(self) -> date:
        """Today in Berlin."""
        return berlin_date(self.now())


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC)


class SimulatedClock(Clock):
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
