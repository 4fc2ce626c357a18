"""The FEEL built-in list functions (DMN 1.5, 10.3.4.4 and 10.3.4.9): sums, statistics, list surgery, sort."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from engine.runtime.feel.standard.values import (
    CONTEXT,
    Function,
    checked_list,
    equal,
    ordering,
)

_Impl = Callable[..., Any]


def _items(args: tuple[Any, ...]) -> list[Any] | None:
    """A list argument, or the arguments themselves (min(1, 2) as min([1, 2]))."""
    if len(args) == 1 and isinstance(args[0], list):
        return list(args[0])
    if len(args) == 1 and args[0] is None:
        return None
    return list(args)


def _extreme(sign: int) -> _Impl:
    def run(*args: Any) -> Any:
        items = _items(args)
        if not items:
            return None
        best = items[0]
        for item in items[1:]:
            order = ordering(item, best)
            if order is None:
                return None
            if order == sign:
                best = item
        return best if ordering(best, best) is not None else None
    return run


def _numbers(args: tuple[Any, ...]) -> list[Decimal] | None:
    items = _items(args)
    if items is None or not all(isinstance(item, Decimal) for item in items):
        return None
    return items


def _sum(*args: Any) -> Any:
    items = _numbers(args)
    if not items:
        return None
    total = Decimal(0)
    for item in items:
        total = CONTEXT.add(total, item)
    return total


def _product(*args: Any) -> Any:
    items = _numbers(args)
    if not items:
        return None
    total = Decimal(1)
    for item in items:
        total = CONTEXT.multiply(total, item)
    return total


def _mean(*args: Any) -> Any:
    items = _numbers(args)
    if not items:
        return None
    return CONTEXT.divide(_sum(items), Decimal(len(items)))


def _median(*args: Any) -> Any:
    items = _numbers(args)
    if not items:
        return None
    ordered = sorted(items)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return CONTEXT.divide(CONTEXT.add(ordered[middle - 1], ordered[middle]), Decimal(2))


def _stddev(*args: Any) -> Any:
    items = _numbers(args)
    if not items or len(items) < 2:
        return None
    mean = _mean(items)
    squares = sum((CONTEXT.power(item - mean, 2) for item in items), Decimal(0))
    return CONTEXT.sqrt(CONTEXT.divide(squares, Decimal(len(items) - 1)))


def _mode(*args: Any) -> Any:
    items = _numbers(args)
    if items is None:
        return None
    counts: dict[Decimal, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    if not counts:
        return []
    most = max(counts.values())
    return sorted(item for item, count in counts.items() if count == most)


def _logic(every: bool) -> _Impl:
    def run(*args: Any) -> Any:
        items = _items(args)
        if items is None or not all(item is None or isinstance(item, bool) for item in items):
            return None
        if every:
            return False if False in items else (None if None in items else True)
        return True if True in items else (None if None in items else False)
    return run


def _position(items: list[Any], position: Any) -> int | None:
    if not isinstance(position, Decimal) or not position.is_finite() or int(position) == 0:
        return None
    index = int(position)
    index = index - 1 if index > 0 else len(items) + index
    return index if 0 <= index < len(items) else None


def _sublist(items: Any, start: Any, length: Any = None) -> Any:
    if not isinstance(items, list):
        return None
    begin = _position(items, start)
    if begin is None:
        return None
    if length is None:
        return items[begin:]
    if not isinstance(length, Decimal) or length < 0 or begin + int(length) > len(items):
        return None
    return items[begin:begin + int(length)]


def _append(items: Any, *more: Any) -> Any:
    return checked_list([*items, *more]) if isinstance(items, list) else None


def _concatenate(*lists: Any) -> Any:
    if not all(isinstance(item, list) for item in lists):
        return None
    return checked_list([item for part in lists for item in part])


def _insert_before(items: Any, position: Any, new_item: Any) -> Any:
    if not isinstance(items, list):
        return None
    index = _position(items, position)
    if index is None:
        return None
    return [*items[:index], new_item, *items[index:]]


def _remove(items: Any, position: Any) -> Any:
    if not isinstance(items, list):
        return None
    index = _position(items, position)
    return None if index is None else items[:index] + items[index + 1:]


def _index_of(items: Any, match: Any) -> Any:
    if not isinstance(items, list):
        return None
    return [Decimal(index) for index, item in enumerate(items, start=1) if equal(item, match) is True]


def _distinct(items: list[Any]) -> list[Any]:
    result: list[Any] = []
    for item in items:
        if not any(equal(item, seen) is True for seen in result):
            result.append(item)
    return result


def _union(*lists: Any) -> Any:
    if not all(isinstance(item, list) for item in lists):
        return None
    return _distinct([item for part in lists for item in part])


def _flatten(items: Any) -> Any:
    if not isinstance(items, list):
        return None
    result: list[Any] = []
    stack = [iter(items)]
    while stack:
        for item in stack[-1]:
            if isinstance(item, list):
                stack.append(iter(item))
                break
            result.append(item)
        else:
            stack.pop()
    return checked_list(result)


def _list_contains(items: Any, element: Any) -> Any:
    if not isinstance(items, list):
        return None
    return any(equal(item, element) is True for item in items)


def _sort(items: Any, precedes: Any = None) -> Any:
    if not isinstance(items, list):
        return None
    if precedes is None:
        if any(ordering(item, items[0]) is None for item in items):
            return None
        return sorted(items, key=_SortKey)
    if not isinstance(precedes, Function):
        return None
    from engine.runtime.feel.standard.operators import invoke

    result: list[Any] = []
    for item in items:  # insertion sort: the precedes function is all FEEL offers
        position = len(result)
        for index, other in enumerate(result):
            if invoke(precedes, [item, other], None) is True:
                position = index
                break
        result.insert(position, item)
    return result


class _SortKey:
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _SortKey) -> bool:
        return ordering(self.value, other.value) == -1


def _list_replace(items: Any, position: Any, new_item: Any) -> Any:
    if items is not None and not isinstance(items, list):
        items = [items]
    if not isinstance(items, list):
        return None
    if isinstance(position, Function):
        if not position.builtin and len(position.params) != 2:
            return None
        from engine.runtime.feel.standard.operators import invoke

        matches = [invoke(position, [item, new_item], None) for item in items]
        if any(match is not None and not isinstance(match, bool) for match in matches):
            return None  # the match function must answer true or false
        return [new_item if match is True else item for item, match in zip(items, matches, strict=True)]
    index = _position(items, position)
    if index is None:
        return None
    return [*items[:index], new_item, *items[index + 1:]]


def _count(items: Any) -> Any:
    return Decimal(len(items)) if isinstance(items, list) else None


# name -> (parameter names, fewest arguments, implementation, variadic)
LIST_FUNCTIONS: dict[str, tuple[tuple[str, ...], int, _Impl, bool]] = {
    "list contains": (("list", "element"), 2, _list_contains, False),
    "count": (("list",), 1, _count, False),
    "min": (("list",), 1, _extreme(-1), True),
    "max": (("list",), 1, _extreme(1), True),
    "sum": (("list",), 1, _sum, True),
    "product": (("list",), 1, _product, True),
    "mean": (("list",), 1, _mean, True),
    "median": (("list",), 1, _median, True),
    "stddev": (("list",), 1, _stddev, True),
    "mode": (("list",), 1, _mode, True),
    "all": (("list",), 1, _logic(True), True),
    "any": (("list",), 1, _logic(False), True),
    "sublist": (("list", "start position", "length"), 2, _sublist, False),
    "append": (("list", "item"), 1, _append, True),
    "concatenate": (("list",), 0, _concatenate, True),
    "insert before": (("list", "position", "newItem"), 3, _insert_before, False),
    "remove": (("list", "position"), 2, _remove, False),
    "reverse": (("list",), 1, lambda items: items[::-1] if isinstance(items, list) else None, False),
    "index of": (("list", "match"), 2, _index_of, False),
    "union": (("list",), 0, _union, True),
    "distinct values": (("list",), 1, lambda items: _distinct(items) if isinstance(items, list) else None, False),
    "flatten": (("list",), 1, _flatten, False),
    "sort": (("list", "precedes"), 1, _sort, False),
    "list replace": (("list", "position", "newItem"), 3, _list_replace, False),
}
