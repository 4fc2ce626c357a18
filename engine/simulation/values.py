"""Values as a scenario writes them: relative days resolved on the simulated day, and expected values compared
with the engine's (dates as ISO text, mappings partially)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from engine.simulation.reading import RELATIVE_DAY


def resolve_relative(value: Any, today: date) -> Any:
    """`heute`, `heute+14`, `heute-3` become dates; lists and mappings are resolved inside."""
    if isinstance(value, str):
        match = RELATIVE_DAY.match(value.strip())
        if match:
            sign, days = match.groups()
            offset = int(days or 0) * (-1 if sign == "-" else 1)
            return (today + timedelta(days=offset)).isoformat()
        return value
    if isinstance(value, list):
        return [resolve_relative(item, today) for item in value]
    if isinstance(value, dict):
        return {key: resolve_relative(item, today) for key, item in value.items()}
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return value


def day_of(value: Any, today: date) -> date:
    """A day as the loader kept it (`heute+7` or a date), on the simulated day `today`."""
    return date.fromisoformat(resolve_relative(value, today))


def plain(value: Any) -> Any:
    """Dates as ISO text, inside lists and mappings too: how YAML writes them."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def matches(actual: Any, expected: Any) -> bool:
    """Expected values match the actual ones; a mapping, also inside a list, only needs the keys it names."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(matches(actual.get(key), value) for key, value in expected.items())
    if isinstance(expected, list) and any(isinstance(item, dict) for item in expected):
        return (isinstance(actual, list) and len(actual) == len(expected)
                and all(matches(item, wanted) for item, wanted in zip(actual, expected, strict=True)))
    return bool(plain(actual) == plain(expected))
