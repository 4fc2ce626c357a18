"""Clocks owned by the engine: the system clock in production, a simulated clock for tests and QA.

Nothing else in the product reads the wall clock (a ruff rule refuses `datetime.now()` and
`date.today()` everywhere but here): whoever needs the time gets a clock, so a test or a QA
simulation can make six months pass in a method call.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


def berlin_date(moment: datetime) -> date:
    """The calendar day a moment falls on in Berlin (the job centre's day)."""
    return moment.astimezone(BERLIN).date()


def berlin_midnight(day: date) -> datetime:
    """The start of a Berlin day (aware; a day with a clock change has 23 or 25 hours)."""
    return datetime.combine(day, time(0, 0), BERLIN)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """From the day's Berlin midnight to the next one."""
    return berlin_midnight(day), berlin_midnight(day + timedelta(days=1))


def week_start_of(day: date) -> date:
    """The Monday of the (ISO) week `day` lies in."""
    return day - timedelta(days=day.weekday())


def week_bounds(day: date) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00 in Berlin of the week `day` lies in (167 or 169 hours at a
    clock change)."""
    monday = week_start_of(day)
    return berlin_midnight(monday), berlin_midnight(monday + timedelta(days=7))


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
