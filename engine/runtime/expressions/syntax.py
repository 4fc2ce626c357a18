"""The syntax tree of a gateway expression, as the parser builds it and the interpreter walks it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, assert_never

# FEEL's tree (engine/runtime/feel/syntax.py) has nodes of the same shape: a constant, a name, a call,
# a conditional, a list. They stay apart on purpose: each interpreter's `match` is checked exhaustive
# against its own language's union (assert_never), and a tree of one language cannot reach the other's
# interpreter.

@dataclass(frozen=True, slots=True)
class Const:
    value: Any


@dataclass(frozen=True, slots=True)
class Name:
    name: str


@dataclass(frozen=True, slots=True)
class Attribute:
    target: Node
    attr: str


@dataclass(frozen=True, slots=True)
class Subscript:
    target: Node
    index: Node


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "-", "+", "not" or "empty"
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # "+", "-", "*", "/", "//", "%" or "**"
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class BoolOp:
    op: str  # "and" or "or"
    values: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Compare:
    first: Node
    ops: tuple[str, ...]
    rest: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Conditional:
    test: Node
    then: Node
    other: Node


@dataclass(frozen=True, slots=True)
class Call:
    function: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Method:
    """One of the whitelisted Java methods (`methods.METHODS`) on a value: `liste.size()`."""

    target: Node
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class ListLit:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class TupleLit:
    items: tuple[Node, ...]


Node = (
    Const | Name | Attribute | Subscript | Unary | Binary | BoolOp | Compare | Conditional | Call
    | Method | ListLit | TupleLit
)


def children(node: Node) -> tuple[Node, ...]:
    match node:
        case Const() | Name():
            return ()
        case Attribute(target, _):
            return (target,)
        case Subscript(target, index):
            return (target, index)
        case Unary(_, operand):
            return (operand,)
        case Binary(_, left, right):
            return (left, right)
        case BoolOp(_, values):
            return values
        case Compare(first, _, rest):
            return (first, *rest)
        case Conditional(test, then, other):
            return (test, then, other)
        case Call(_, args):
            return args
        case Method(target, _, args):
            return (target, *args)
        case ListLit(items) | TupleLit(items):
            return items
    assert_never(node)
