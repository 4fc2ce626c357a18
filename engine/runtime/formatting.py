"""German dates and numbers for pages and messages, through Babel (CLDR data for de_DE)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

from engine.runtime.clock import BERLIN

LOCALE = "de_DE"
NO_VALUE = "–"
# Parsed once: given as a string, Babel parses the locale on every call (a page shows a few hundred dates).
GERMAN = Locale.parse(LOCALE)


def date_text(value: date | datetime | None) -> str:
    """31.01.2025; a moment is shown on its Berlin day."""
    if value is None:
        return NO_VALUE
    if isinstance(value, datetime):
        value = value.astimezone(BERLIN).date()
    return _day_text(value)


@lru_cache(maxsize=8192)
def _day_text(day: date) -> str:
    # A page of tasks and Wiedervorlagen shows the same few dozen days over and over.
    return format_date(day, "dd.MM.yyyy", locale=GERMAN)


def datetime_text(value: datetime | None) -> str:
    """31.01.2025 14:30 in Berlin time."""
    if value is None:
        return NO_VALUE
    return format_datetime(value, "dd.MM.yyyy HH:mm", tzinfo=BERLIN, locale=GERMAN)


def time_text(value: datetime | None) -> str:
    """14:30 in Berlin time."""
    if value is None:
        return NO_VALUE
    return format_datetime(value, "HH:mm", tzinfo=BERLIN, locale=GERMAN)


def weekday_text(value: date) -> str:
    """Montag, 03.03.2025."""
    return format_date(value, "EEEE, dd.MM.yyyy", locale=GERMAN)


def number_text(value: float, places: int = 2) -> str:
    """At most `places` decimals, no trailing zeros: 20.0 -> "20", 7.5 -> "7,5", 1234.5 -> "1.234,5"."""
    return format_decimal(value, format="#,##0." + "#" * places if places else "#,##0", locale=GERMAN)


def percent_text(share: float | None) -> str:
    """A share 0-1 as a whole German percentage, rounded half up: 0.625 -> "63 %"; None -> "–".

    Rounded here first because Babel rounds half to even (62 %), which readers of an office report
    would take for a mistake.
    """
    if share is None:
        return NO_VALUE
    whole = Decimal(str(share)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return format_percent(whole, locale=GERMAN)
