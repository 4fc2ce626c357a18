"""The typeRef of an input or output column, and how a value is converted to it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from engine.runtime.feel.functions import NUMBER_TEXT, parse_date, parse_date_time, string_value
from engine.runtime.feel.values import is_number, num, outbound, show
from engine.runtime.parsing import Problem

TYPE_REFS = ("string", "boolean", "integer", "long", "double", "date", "number")
_INT_RANGES = {"integer": 2**31, "long": 2**63}


def coerce(value: Any, type_ref: str | None) -> Any:
    """Convert a value to a column's typeRef as Camunda's type transformers do; raises Problem if impossible."""
    value = outbound(value)
    if value is None or not type_ref:
        return value
    if type_ref == "string":
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        converted = string_value([value])
        if isinstance(converted, str):
            return converted
    elif type_ref in _INT_RANGES:
        number: Any = None
        if is_number(value) and num(value) == int(num(value)):
            number = int(num(value))
        elif isinstance(value, str) and re.fullmatch(r"-?\d{1,20}", value.strip()):
            number = int(value.strip())
        if number is not None and -_INT_RANGES[type_ref] <= number < _INT_RANGES[type_ref]:
            return number
    elif type_ref == "double":
        if is_number(value):
            return float(value)
        if isinstance(value, str) and NUMBER_TEXT.match(value.strip()):
            return float(value.strip())
    elif type_ref == "number":
        if is_number(value):
            return value
    elif type_ref == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip() in ("true", "false"):
            return value.strip() == "true"
    elif type_ref == "date":
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            text = value.strip()
            return parse_date_time(text) if "T" in text else parse_date(text)
    raise Problem(f"Der Wert {show(value)} passt nicht zum Typ '{type_ref}'.")


