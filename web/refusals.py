"""What the case file's and the appointment page's small forms share: which refusals are shown in place
(the workplace commands' German messages; never an access refusal, which stays a 403/404 page), how a
command's field errors map onto the form's fields, and reading a day and a time from the form."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time

from engine.agenda import AgendaError
from engine.runtime.clock import BERLIN
from engine.runtime.errors import ConflictError, FormError, NothingWaitsError, ProcessError

REFUSALS = (FormError, ConflictError, NothingWaitsError, AgendaError, ProcessError)
GENERAL = "allgemein"  # the key of a message that belongs to no single field


def field_errors(error: Exception, fields: Mapping[str, str] | None = None) -> dict[str, str]:
    """A refusal's messages by form field: `fields` renames a command's field to the form's."""
    if isinstance(error, FormError):
        return {(fields or {}).get(field, field): message for field, message in error.errors.items()}
    return {GENERAL: str(error)}


def form_day(text: str | None, field: str, errors: dict[str, str]) -> date | None:
    """The day typed into `field`, or None with a German message in `errors`."""
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        errors[field] = "Bitte ein gültiges Datum angeben."
        return None


def form_time(text: str | None, field: str, errors: dict[str, str]) -> time | None:
    """The time of day typed into `field`, or None with a German message in `errors`."""
    try:
        return time.fromisoformat(text or "")
    except ValueError:
        errors[field] = "Bitte eine Uhrzeit angeben (SS:MM)."
        return None


def form_moment(day_text: str | None, time_text: str | None) -> datetime:
    """A day (`tag`) and a time (`uhrzeit`) of a form as a moment in Berlin; a FormError names what is wrong."""
    errors: dict[str, str] = {}
    day, at = form_day(day_text, "tag", errors), form_time(time_text, "uhrzeit", errors)
    if day is None or at is None:
        raise FormError(errors)
    return datetime.combine(day, at, BERLIN)
