"""ISO 8601 durations and timer values with calendar arithmetic as Camunda does it.

Months and years are added as calendar units and clamped to the month end
(31 January + P1M = 28/29 February), unlike SpiffWorkflow, which adds day counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from engine.runtime.clock import BERLIN, berlin_midnight

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?$",
    re.IGNORECASE,
)
_CYCLE = re.compile(r"^R(?P<count>\d*)/(?P<rest>.+)$", re.IGNORECASE)

# A diagram must not be able to schedule a timer centuries ahead or overflow datetime.
_MAX_DAYS = 100 * 366


class DurationError(ValueError):
    """A timer or date value that is not valid ISO 8601; the message is German."""


@dataclass(frozen=True)
class Duration:
    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: float = 0.0

    def delta(self) -> relativedelta:
        return relativedelta(
            years=self.years,
            months=self.months,
            weeks=self.weeks,
            days=self.days,
            hours=self.hours,
            minutes=self.minutes,
            seconds=self.seconds,  # type: ignore[arg-type]  # dateutil accepts fractional seconds
        )


def parse_duration(text: str) -> Duration:
    match = _DURATION.match(text.strip())
    if match is None:
        raise DurationError(f"»{text}« ist keine ISO-8601-Dauer (z. B. P14D, P6M, PT2H).")
    parts = {key: value for key, value in match.groupdict().items() if value is not None}
    seconds = float(parts.pop("seconds", "0").replace(",", "."))
    units = {key: int(value) for key, value in parts.items()}
    days = (units.get("years", 0) * 366 + units.get("months", 0) * 31 + units.get("weeks", 0) * 7
            + units.get("days", 0) + (units.get("hours", 0) * 3600 + units.get("minutes", 0) * 60 + seconds) / 86400)
    if days > _MAX_DAYS:
        raise DurationError(f"Die Dauer »{text}« ist zu groß.")
    return Duration(seconds=seconds, **units)


def is_duration(text: str) -> bool:
    return _DURATION.match(text.strip()) is not None


def add_duration(moment: datetime, duration: str | Duration) -> datetime:
    """Add calendar units in Berlin local time, so P1M at 00:30 stays at 00:30 across DST."""
    parsed = parse_duration(duration) if isinstance(duration, str) else duration
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise DurationError(f"Zeitpunkt ohne Zeitzone: {moment.isoformat()}")
    try:
        return _add(moment, parsed)
    except (OverflowError, ValueError) as error:
        raise DurationError(f"{moment.date().isoformat()} plus die Dauer liegt außerhalb des Kalenders.") from error


def _add(moment: datetime, parsed: Duration) -> datetime:
    local = moment.astimezone(BERLIN)
    date_part = parsed.years or parsed.months or parsed.weeks or parsed.days
    if date_part:
        local = local + relativedelta(years=parsed.years, months=parsed.months, weeks=parsed.weeks, days=parsed.days)
        local = local.replace(tzinfo=BERLIN)
    result = local.astimezone(UTC)
    return result + timedelta(hours=parsed.hours, minutes=parsed.minutes, seconds=parsed.seconds)


def parse_moment(value: object) -> datetime:
    """A timer date: an aware datetime, a date (midnight in Berlin), or an ISO string of either."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=BERLIN).astimezone(UTC)
        return value.astimezone(UTC)
    if isinstance(value, date):
        return berlin_midnight(value).astimezone(UTC)
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                return parse_moment(date.fromisoformat(text))
            return parse_moment(datetime.fromisoformat(text))
        except ValueError:
            pass
    raise DurationError(f"»{value}« ist kein Datum und kein Zeitpunkt nach ISO 8601.")


def due_time(value: object, start: datetime) -> datetime:
    """When a timer whose value is `value` (a duration counted from `start`, or a date) is due."""
    if isinstance(value, str) and is_duration(value):
        return add_duration(start, value)
    if isinstance(value, timedelta):
        return start + value
    return parse_moment(value)


@dataclass(frozen=True)
class Cycle:
    count: int | None  # None: repeat without end
    start: datetime | None
    duration: Duration


def parse_cycle(text: str) -> Cycle:
    match = _CYCLE.match(text.strip())
    if match is None:
        raise DurationError(f"»{text}« ist kein ISO-8601-Wiederholungsintervall (z. B. R3/P1D).")
    parts = match.group("rest").split("/")
    count = int(match.group("count")) if match.group("count") else None
    if count == 0:
        raise DurationError(f"»{text}« wiederholt sich nie (R0); bitte mindestens R1 angeben.")
    if len(parts) == 1:
        return Cycle(count, None, parse_duration(parts[0]))
    if len(parts) == 2:
        return Cycle(count, parse_moment(parts[0]), parse_duration(parts[1]))
    raise DurationError(f"»{text}« ist kein ISO-8601-Wiederholungsintervall (z. B. R3/P1D).")
