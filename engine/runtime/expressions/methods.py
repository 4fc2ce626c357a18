"""The few Java methods Camunda users write on strings, lists and maps (`.equals`, `.size()`, ...).

Each is implemented here on plain values; nothing is looked up on the Python object, so a method
name can reach nothing but this table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.runtime.parsing import Problem


def _sized(value: Any, method: str) -> Any:
    if isinstance(value, str | list | tuple | dict | set | frozenset):
        return value
    raise Problem(f"'.{method}()' gibt es nur für Texte, Listen und Zuordnungen, nicht für {value!r}.")


def _text(value: Any, method: str) -> str:
    if isinstance(value, str):
        return value
    raise Problem(f"'.{method}()' gibt es nur für Texte, nicht für {value!r}.")


def _contains(value: Any, part: Any) -> bool:
    if isinstance(value, str):
        return isinstance(part, str) and part in value
    if isinstance(value, list | tuple | set | frozenset):
        return part in value
    raise Problem(f"'.contains()' gibt es nur für Texte und Listen, nicht für {value!r}.")


def _get(value: Any, key: Any) -> Any:
    if isinstance(value, dict):
        return value.get(key)
    if isinstance(value, list | tuple) and isinstance(key, int) and not isinstance(key, bool):
        if 0 <= key < len(value):
            return value[key]
        raise Problem(f"'.get({key})': die Liste hat nur {len(value)} Einträge.")
    raise Problem(f"'.get()' gibt es nur für Listen und Zuordnungen, nicht für {value!r}.")


def _contains_key(value: Any, key: Any) -> bool:
    if isinstance(value, dict):
        return key in value
    raise Problem(f"'.containsKey()' gibt es nur für Zuordnungen, nicht für {value!r}.")


# name -> (number of arguments, implementation)
METHODS: dict[str, tuple[int, Callable[..., Any]]] = {
    "equals": (1, lambda value, other: value == other),
    "size": (0, lambda value: len(_sized(value, "size"))),
    "length": (0, lambda value: len(_text(value, "length"))),
    "isEmpty": (0, lambda value: len(_sized(value, "isEmpty")) == 0),
    "contains": (1, _contains),
    "containsKey": (1, _contains_key),
    "startsWith": (1, lambda value, part: _text(value, "startsWith").startswith(_text(part, "startsWith"))),
    "endsWith": (1, lambda value, part: _text(value, "endsWith").endswith(_text(part, "endsWith"))),
    "get": (1, _get),
    "concat": (1, lambda value, other: _text(value, "concat") + _text(other, "concat")),
}


def call_method(name: str, value: Any, args: list[Any]) -> Any:
    arity, implementation = METHODS[name]
    if len(args) != arity:
        raise Problem(f"'.{name}()' erwartet {arity} Argument(e), nicht {len(args)}.")
    return implementation(value, *args)
