"""FEEL dates, times, date-times and durations read from their ISO 8601 texts (`@"…"`, `date("…")`, …).

The standard library's `date`, `time` and `datetime` hold the values and `zoneinfo` the IANA time
zones (`@Europe/Paris`); the texts are matched here because FEEL's forms (a zone id after `@`, two
kinds of duration, negative durations) are not what `fromisoformat` or isodate read.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.runtime.feel.standard import far
from engine.runtime.feel.standard.values import DaysTime, YearsMonths

_DATE = re.compile(r"(-?(?:\d{4}|[1-9]\d{4,8}))-(\d{2})-(\d{2})")  # more than 4 digits: no leading zero
_TIME = re.compile(r"(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:(Z|[+-]\d{2}:\d{2}(?::\d{2})?)|@([A-Za-z][\w/+\-]*))?")
_YEARS_MONTHS = re.compile(r"(-)?P(?:(\d+)Y)?(?:(\d+)M)?")
_DAYS_TIME = re.compile(r"(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d*)?)S)?)?")


def parse_date(text: str) -> Any:
    """A `date`, or a `FarMoment` for a year outside 1-9999; None if the text is no date."""
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    try:
        return far.make(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _zone(offset: str | None, zone: str | None) -> dt.tzinfo | bool | None:
    if offset:
        if offset == "Z":
            return dt.UTC
        sign = -1 if offset[0] == "-" else 1
        parts = [int(part) for part in offset[1:].split(":")]
        delta = dt.timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2] if len(parts) > 2 else 0)
        if delta > dt.timedelta(hours=18):
            return False
        return dt.timezone(sign * delta)
    if zone:
        try:
            return ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            return False
    return None


def parse_time(text: str) -> dt.time | None:
    match = _TIME.fullmatch(text)
    if match is None:
        return None
    zone = _zone(match[5], match[6])
    if zone is False:
        return None
    try:
        micro = int((match[4] or "0")[:6].ljust(6, "0"))
        hour = int(match[1])
        if hour == 24 and int(match[2]) == 0 and int(match[3]) == 0:
            hour = 0
        value = dt.time(hour, int(match[2]), int(match[3]), micro)
    except ValueError:
        return None
    if isinstance(zone, ZoneInfo):
        return value.replace(tzinfo=zone)
    return value.replace(tzinfo=zone if isinstance(zone, dt.tzinfo) else None)


def parse_date_time(text: str) -> Any:
    """A `datetime`, or a `FarMoment` for a year outside 1-9999; None if the text is no date and time."""
    date_text, time_text = text.split("T", 1) if "T" in text else (text, "00:00:00")
    day, moment = parse_date(date_text), parse_time(time_text)
    if day is None or moment is None:
        return None
    if isinstance(day, far.FarMoment):
        value: Any = far.FarMoment(dt.datetime.combine(day.inner, moment), day.shift)
        return far.calculate("+", value, DaysTime(Decimal(86_400))) if time_text.startswith("24:") else value
    if time_text.startswith("24:"):
        day += dt.timedelta(days=1)  # 24:00:00 is the midnight that ends the day
    return dt.datetime.combine(day, moment)


def parse_duration(text: str) -> YearsMonths | DaysTime | None:
    match = _YEARS_MONTHS.fullmatch(text)
    if match is not None and (match[2] or match[3]):
        months = int(match[2] or 0) * 12 + int(match[3] or 0)
        return YearsMonths(-months if match[1] else months)
    match = _DAYS_TIME.fullmatch(text)
    if match is None or not any(match[i] for i in range(2, 6)) or text.endswith("T"):
        return None
    seconds = (int(match[2] or 0) * 86_400 + int(match[3] or 0) * 3600 + int(match[4] or 0) * 60
               + Decimal(match[5] or 0))
    return DaysTime(-seconds if match[1] else seconds)


def from_text(text: str) -> Any:
    """The value of `@"…"`: a date, date and time, time or duration, by its form; None if none fits."""
    if text.startswith(("P", "-P")):
        return parse_duration(text)
    day = _DATE.match(text)
    if day is not None and text[day.end():day.end() + 1] == "T":
        return parse_date_time(text)
    if _DATE.fullmatch(text):
        return parse_date(text)
    return parse_time(text)


def zone_name(value: dt.datetime | dt.time) -> str | None:
    zone = value.tzinfo
    if isinstance(zone, ZoneInfo):
        return zone.key
    return None


def time_text(value: dt.time) -> str:
    text = value.strftime("%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + _zone_text(value.tzinfo, value.utcoffset())


def _zone_text(zone: dt.tzinfo | None, offset: dt.timedelta | None) -> str:
    if isinstance(zone, ZoneInfo):
        return f"@{zone.key}"
    if offset is None:
        return ""
    if offset == dt.timedelta(0):
        return "Z"
    sign = "-" if offset < dt.timedelta(0) else "+"
    seconds = int(abs(offset).total_seconds())
    text = f"{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
    return text + (f":{seconds % 60:02d}" if seconds % 60 else "")


def text_of(value: Any) -> str | None:
    """The FEEL string of a temporal value (as `string()` gives it)."""
    if isinstance(value, far.FarMoment):
        return far.text(value, time_text)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() + "T" + time_text(value.timetz())
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return time_text(value)
    if isinstance(value, YearsMonths | DaysTime):
        return str(value)
    return None
