"""Quartz cron expressions in timer cycles, as Camunda 7 takes them (`0 0/5 * * * ?`: every five minutes).

Camunda's timeCycle is an ISO 8601 repeating interval or a Quartz cron expression: seconds, minutes,
hours, day of month, month, day of week and an optional year, with `?` for "no specific value".
The schedule is computed by croniter (a well-kept library; written by hand it would be a parser of
its own), in Europe/Berlin, the job centre's local time, as Camunda uses the server's zone.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from croniter import croniter

from engine.runtime.durations import DurationError

BERLIN = ZoneInfo("Europe/Berlin")


def is_cron(text: str) -> bool:
    fields = text.split()
    return len(fields) in (6, 7) and not text.strip().startswith("R")


def _croniter_form(text: str) -> str:
    fields = text.split()
    if len(fields) == 7:
        if fields[6] not in ("*", "?"):
            raise DurationError(f"»{text}«: ein Jahr im Cron-Ausdruck wird nicht unterstützt.")
        fields = fields[:6]
    return " ".join("*" if field == "?" else field for field in fields)


def check_cron(text: str) -> None:
    if not croniter.is_valid(_croniter_form(text), second_at_beginning=True):
        raise DurationError(f"»{text}« ist kein gültiger Cron-Ausdruck (Sekunde Minute Stunde Tag Monat "
                            "Wochentag, z. B. 0 0/5 * * * ?).")


def next_fire(text: str, after: datetime) -> datetime:
    """The first moment of the schedule strictly after `after` (timezone-aware, as `after`)."""
    check_cron(text)
    schedule = croniter(_croniter_form(text), after.astimezone(BERLIN), second_at_beginning=True)
    moment: datetime = schedule.get_next(datetime)
    return moment.astimezone(after.tzinfo)
