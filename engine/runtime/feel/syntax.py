"""The syntax tree of FEEL: expressions, and the unary tests of input entries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, assert_never

from engine.runtime.parsing import walk

# The gateway expressions' tree (engine/runtime/expressions/syntax.py) has nodes of the same shape; they
# stay apart on purpose, so that each interpreter's `match` is exhaustive over its own language only.

@dataclass(frozen=True, slots=True)
class Const:
    value: Any


@dataclass(frozen=True, slots=True)
class Name:
    name: str


@dataclass(frozen=True, slots=True)
class Input:
    """`?`: the value of the input column inside an input entry."""


@dataclass(frozen=True, slots=True)
class Path:
    target: Node
    name: str


@dataclass(frozen=True, slots=True)
class Index:
    target: Node
    index: Node


@dataclass(frozen=True, slots=True)
class Neg:
    operand: Node


@dataclass(frozen=True, slots=True)
class Arith:
    op: str  # "+", "-", "*" or "/"
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Cmp:
    op: str  # "=", "!=", "<", "<=", ">" or ">="
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Between:
    value: Node
    low: Node
    high: Node


@dataclass(frozen=True, slots=True)
class In:
    value: Node
    tests: Tests


@dataclass(frozen=True, slots=True)
class Logic:
    op: str  # "and" or "or"
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class If:
    test: Node
    then: Node
    other: Node


@dataclass(frozen=True, slots=True)
class Call:
    function: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class List:
    items: tuple[Node, ...]


# Unary tests (input entries).


@dataclass(frozen=True, slots=True)
class AnyTest:
    """`-` or an empty cell."""


@dataclass(frozen=True, slots=True)
class CmpTest:
    op: str  # "<", "<=", ">" or ">="
    endpoint: Node


@dataclass(frozen=True, slots=True)
class Interval:
    low_closed: bool
    low: Node
    high: Node
    high_closed: bool


@dataclass(frozen=True, slots=True)
class ExprTest:
    node: Node
    uses_input: bool  # mentions `?`: the result itself is the test
    literal: bool  # a plain literal such as `true` or `"a"`: always compared for equality


@dataclass(frozen=True, slots=True)
class Tests:
    items: tuple[Test, ...]
    negated: bool = False


Node = (
    Const | Name | Input | Path | Index | Neg | Arith | Cmp | Between | In | Logic | If | Call | List
)
Test = AnyTest | CmpTest | Interval | ExprTest
Tree = Node | Test | Tests


def children(node: Tree) -> tuple[Tree, ...]:
    match node:
        case Const() | Name() | Input() | AnyTest():
            return ()
        case Path(target, _) | Neg(target):
            return (target,)
        case Index(target, index):
            return (target, index)
        case Arith(_, left, right) | Cmp(_, left, right) | Logic(_, left, right):
            return (left, right)
        case Between(value, low, high):
            return (value, low, high)
        case In(value, tests):
            return (value, tests)
        case If(test, then, other):
            return (test, then, other)
        case Call(_, args):
            return args
        case List(items):
            return items
        case CmpTest(_, endpoint):
            return (endpoint,)
        case Interval(_, low, high, _):
            return (low, high)
        case ExprTest(inner, _, _):
            return (inner,)
        case Tests(items, _):
            return items
    assert_never(node)


def nodes(tree: Tree) -> Iterator[Tree]:
    """Every node of the tree, without recursion."""
    return (node for node, _ in walk(tree, children))


def mentions_input(node: Tree) -> bool:
    return any(isinstance(item, Input) for item in nodes(node))
