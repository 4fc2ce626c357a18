"""Item definitions and typeRefs of a DMN 1.1-1.5 model: whether a value conforms, with DMN 1.5's conversions.

A value that does not conform to the type of the variable it is assigned to becomes null (DMN 1.5,
7.3.4 and 10.3.2.9.4); a singleton list assigned to a non-list type gives its item, and an item
assigned to a collection type becomes a one-item list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.runtime.feel.standard import Env
from engine.runtime.feel.standard.values import Function, Range, type_name

_BUILTIN = {
    "string": "string", "number": "number", "boolean": "boolean", "date": "date", "time": "time",
    "date and time": "date and time", "dateTime": "date and time", "datetime": "date and time",
    "days and time duration": "days and time duration", "dayTimeDuration": "days and time duration",
    "years and months duration": "years and months duration", "yearMonthDuration": "years and months duration",
    "duration": "duration", "context": "context", "list": "list", "range": "range", "function": "function",
    "Any": "Any", "integer": "number", "decimal": "number", "double": "number", "long": "number",
}  # fmt: skip


@dataclass
class ItemType:
    """One item definition (or a built-in type under its FEEL name)."""

    name: str
    base: str | None = None  # a built-in type name, or another item definition's name
    collection: bool = False
    components: dict[str, ItemType] = field(default_factory=dict)
    allowed: Callable[[Any, Env], bool | None] | None = None
    function: bool = False


class Types:
    """The item definitions of a model, resolved by name (namespace prefixes ignored)."""

    def __init__(self, items: Mapping[str, ItemType], env: Env) -> None:
        self._items = dict(items)
        self._env = env

    def known(self, type_ref: str | None) -> bool:
        name = _plain(type_ref)
        return name is None or name in _BUILTIN or name in self._items

    def resolver(self, name: str) -> Callable[[Any], bool] | None:
        """For `instance of`: a check of a model's item definition by name (None if there is no such definition)."""
        plain = _plain(name)
        if plain is None or plain not in self._items:
            return None
        return lambda value: self._instance(value, self._items[plain], 0)

    def _instance(self, value: Any, item: ItemType, depth: int) -> bool:
        """`instance of` an item definition: the structure, without conversions or allowed values."""
        if value is None or depth > 20:
            return False
        if item.collection:
            single = ItemType(item.name, item.base, False, item.components, item.allowed, item.function)
            return isinstance(value, list) and all(element is None or self._instance(element, single, depth + 1)
                                                   for element in value)
        if item.components:
            return isinstance(value, dict) and all(
                key in value and (value[key] is None or self._instance(value[key], component, depth + 1))
                for key, component in item.components.items())
        if item.function:
            return isinstance(value, Function)
        if item.base is not None and item.base in self._items:
            return self._instance(value, self._items[item.base], depth + 1)
        name = _BUILTIN.get(item.base or "Any", "Any")
        if name == "Any":
            return True
        actual = type_name(value)
        return actual in ("days and time duration", "years and months duration") if name == "duration" else \
            actual == name

    def conform(self, value: Any, type_ref: str | None) -> Any:
        """The value as the variable of this type holds it, or None if it does not conform."""
        name = _plain(type_ref)
        if name is None or value is None:
            return value
        item = self._items.get(name)
        if item is None:
            return _conform_builtin(value, _BUILTIN.get(name, "Any"))
        return self._conform_item(value, item, 0)

    def _conform_item(self, value: Any, item: ItemType, depth: int) -> Any:
        if value is None or depth > 20:
            return value
        if item.collection:
            if not isinstance(value, list):
                value = [value]
            single = ItemType(item.name, item.base, False, item.components, item.allowed, item.function)
            converted = [self._conform_item(element, single, depth + 1) for element in value]
            if any(new is None and old is not None for new, old in zip(converted, value, strict=True)):
                return None
            return converted
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if item.components:
            if not isinstance(value, dict):
                return None
            result = dict(value)
            for key, component in item.components.items():
                if key not in value:
                    return None  # a context conforms to a structure only with every component
                if key in value:
                    converted = self._conform_item(value[key], component, depth + 1)
                    if converted is None and value[key] is not None:
                        return None
                    result[key] = converted
            return result
        if item.function:
            return value if isinstance(value, Function) else None
        if item.base is not None:
            base = self._items.get(item.base)
            if base is not None:
                value = self._conform_item(value, base, depth + 1)
            else:
                value = _conform_builtin(value, _BUILTIN.get(item.base, "Any"))
            if value is None:
                return None
        if item.allowed is not None and item.allowed(value, self._env) is not True:
            return None
        return value


def _plain(type_ref: str | None) -> str | None:
    if not type_ref:
        return None
    text = type_ref.strip()
    if text.startswith("feel:"):
        text = text[5:]
    return text or None


def _conform_builtin(value: Any, name: str) -> Any:
    if name == "Any":
        return value
    if name == "list":
        return value if isinstance(value, list) else [value]
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    actual = type_name(value)
    if name == "duration":
        return value if actual in ("days and time duration", "years and months duration") else None
    if name == "range":
        return value if isinstance(value, Range) else None
    return value if actual == name else None
