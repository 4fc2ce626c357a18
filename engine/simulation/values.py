"""Comparing expected values from YAML with the engine's values (dates as ISO text, mappings partially)."""

from __future__ import annotations

from datetime import date
from typing import Any


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
    """Expected values match the actual ones; a mapping only needs the keys it names."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(matches(actual.get(key), value) for key, value in expected.items())
    return bool(plain(actual) == plain(expected))
