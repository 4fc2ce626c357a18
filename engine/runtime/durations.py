"""ISO 8601 durations and timer values with calendar arithmetic as Camunda does it.

Months and years are added as calendar units and clamped to the month end
(31 January + P1M = 28/29 February), unlike SpiffWorkflow, which adds day counts.

`read_iso_duration` is the one reader of the duration syntax, for timers here and for FEEL's
`duration("…")`; each caller applies its own sign rule, limits and conversion (timers: calendar
units, no sign, about 100 years; FEEL: signed months and exact seconds, 10,000 years). The
`isodate` library (0.7.2, checked) does not fit: it returns a `timedelta` or its own `Duration`
depending on whether years or months occur, accepts fractions on every designator (P1.5M) but
rounds seconds to microseconds, refuses the lower-case designators timers accept, and has no size
limit (P999999999999Y is accepted; a 5,000-digit number raises OverflowError instead of its
parse error), while a diagram or decision table is hostile input whose limits must hold here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from engine.runtime.clock import BERLIN, berlin_midnight

_UNITS = ("years", "months", "weeks", "days", "hours", "minutes", "seconds", "fraction")


def _pattern(lenient: bool) -> re.Pattern[str]:
    point = "[.,]" if lenient else r"\."
    return re.compile(
        r"^(?P<sign>-)?P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
        r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?"
        rf"(?:(?P<seconds>\d+)(?:{point}(?P<fraction>\d+))?S)?)?$",
        re.IGNORECASE if lenient else 0,
    )


_STRICT = _pattern(lenient=False)
_LENIENT = _pattern(lenient=True)
# A number longer than this (leading zeros aside) is read as 10^30: far beyond every caller's limit,
# and int() never sees a very long digit string.
_LONGEST = 30
_CYCLE = re.compile(r"^R(?P<count>\d*)/(?P<rest>.+)$", re.IGNORECASE)

# A diagram must not be able to schedule a timer centuries ahead or overflow datetime.
_MAX_DAYS = 100 * 366


class DurationError(ValueError):
    """A timer or date value that is not valid ISO 8601; the message is German."""


@dataclass(frozen=True)
class _Units:
    """The whole-number designators of an ISO 8601 duration (0 where one is missing)."""

    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0


@dataclass(frozen=True)
class IsoDuration(_Units):
    """An ISO 8601 duration as written: its designators, exact seconds and its sign."""

    seconds: Decimal = Decimal(0)
    negative: bool = False


def read_iso_duration(text: str, lenient: bool = False, digits: Sequence[int] | None = None) -> IsoDuration | None:
    """`P1Y2M3W4DT5H6M7.5S`, negative with a leading `-`; None if the text is not such a duration.

    `lenient`: lower-case designators and a decimal comma are read too. `digits`: the most digits
    each number may have (years, months, weeks, days, hours, minutes, whole seconds, decimals);
    a longer one makes the text no duration. Without it, a number of more than 30 digits (leading
    zeros aside) is read as 10^30, more than any caller allows.
    """
    match = (_LENIENT if lenient else _STRICT).match(text)
    if match is None:
        return None
    written = [match[unit] or "" for unit in _UNITS]
    if digits is not None and any(len(number) > most for number, most in zip(written, digits, strict=True)):
        return None
    years, months, weeks, days, hours, minutes, seconds = (
        int(number or 0) if len(number.lstrip("0")) <= _LONGEST else 10**_LONGEST for number in written[:7]
    )
    fraction = written[7]
    return IsoDuration(
        negative=match["sign"] is not None,
        years=years, months=months, weeks=weeks, days=days, hours=hours, minutes=minutes,
        seconds=Decimal(f"{seconds}.{fraction}") if fraction else Decimal(seconds),
    )


@dataclass(frozen=True)
class Duration(_Units):
    """What a timer adds: calendar units in Berlin local time, then hours, minutes and seconds."""

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
    parts = _timer_duration(text)
    if parts is None:
        raise DurationError(f"»{text}« ist keine ISO-8601-Dauer (z. B. P14D, P6M, PT2H).")
    seconds = float(parts.seconds)
    days = (parts.years * 366 + parts.months * 31 + parts.weeks * 7 + parts.days
            + (parts.hours * 3600 + parts.minutes * 60 + seconds) / 86400)
    if days > _MAX_DAYS:
        raise DurationError(f"Die Dauer »{text}« ist zu groß.")
    return Duration(parts.years, parts.months, parts.weeks, parts.days, parts.hours, parts.minutes, seconds)


def is_duration(text: str) -> bool:
    return _timer_duration(text) is not None


@functools.lru_cache(maxsize=1024)
def _timer_duration(text: str) -> IsoDuration | None:
    # Timers take no sign: a timer cannot be due before it starts. Cached: every step computes a few
    # due dates from the same handful of texts (P14D, P6M), and the result is immutable.
    parts = read_iso_duration(text.strip(), lenient=True)
    return None if parts is None or parts.negative else parts


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
