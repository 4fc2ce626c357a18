"""Which dates a person may enter where: the domain's range rules for the date fields of the forms.

The generic form check (engine/runtime/forms.py) refuses dates outside 1900-2099; here the counselling
rules narrow that per field: what is agreed or set as a deadline lies ahead (at most a year), what is
recorded as having happened does not lie in the future.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta

from engine.domain.agenda import APPOINTMENT_CONTACTS, FURTHEST_AHEAD_MONTHS, NEXT_CONTACT_CHOICE, NEXT_CONTACT_DAY
from engine.domain.workdays import is_working_day, next_working_day
from engine.runtime.formatting import date_text

# Agreed dates and deadlines: from today up to a year ahead.
AHEAD = frozenset({NEXT_CONTACT_DAY, "schrittFaellig", "neueFrist", "aufforderungFrist", "anhoerungFrist"})
# What happened: not in the future, and not more than a year back (a decision must follow within six
# months of a breach anyway, § 31b Abs. 2 SGB II).
PAST = frozenset({"terminAm", "bescheidAm", "feststellungAm", "erfuelltAm", "zugangAm", "gemeldetAm"})


def latest_ahead(today: date) -> date:
    return today + relativedelta(months=FURTHEST_AHEAD_MONTHS)


def ahead_problem(value: date, today: date, what: str = "Das Datum") -> str | None:
    """Why an agreed date or deadline is refused, or None; `what` names it in the message."""
    if value < today:
        return f"{what} darf nicht in der Vergangenheit liegen."
    if value > latest_ahead(today):
        return f"{what} darf höchstens ein Jahr in der Zukunft liegen (bis {date_text(latest_ahead(today))})."
    return None


def past_problem(value: date, today: date) -> str | None:
    """Why a date of something that happened is refused, or None."""
    if value > today:
        return "Das Datum darf nicht in der Zukunft liegen."
    if value < today - relativedelta(months=FURTHEST_AHEAD_MONTHS):
        return "Das Datum darf höchstens ein Jahr zurückliegen."
    return None


WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")


def appointment_day_problem(value: date) -> str | None:
    """Why an appointment on this day is refused (a weekend or a Lower Saxony public holiday), or None."""
    if is_working_day(value):
        return None
    kind = {5: "ein Samstag", 6: "ein Sonntag"}.get(value.weekday(), "ein Feiertag in Niedersachsen")
    following = next_working_day(value)
    return (f"Der {date_text(value)} ist {kind}; ein Termin ist nur an Arbeitstagen möglich, "
            f"der nächste ist {WEEKDAYS[following.weekday()]}, der {date_text(following)}.")


def date_problems(cleaned: Mapping[str, Any], today: date) -> dict[str, str]:
    """German messages for the date fields of a checked form that break the rules, by field id."""
    problems: dict[str, str] = {}
    for name, value in cleaned.items():
        if not isinstance(value, date):
            continue
        problem = ahead_problem(value, today) if name in AHEAD else past_problem(value, today) if name in PAST else None
        if problem is None and name == NEXT_CONTACT_DAY and cleaned.get(NEXT_CONTACT_CHOICE) in APPOINTMENT_CONTACTS:
            problem = appointment_day_problem(value)  # a Wiedervorlage may fall on any day
        if problem is not None:
            problems[name] = problem
    return problems
