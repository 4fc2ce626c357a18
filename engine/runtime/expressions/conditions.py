"""Gateway conditions read as alternatives of simple comparisons, for tools that steer a path to a flow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.runtime.expressions.compiled import ExpressionError, compile_expression
from engine.runtime.expressions.syntax import BoolOp, Compare, Const, Name, Node, Unary

# A condition spreads into the product of its parts: (a || b) && (c || d) has four alternatives.
_MOST_ALTERNATIVES = 64
_OPPOSITE = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}


@dataclass(frozen=True)
class Atom:
    """A variable compared with a literal: `var op value`, op one of ==, !=, <, <=, >, >=."""

    var: str
    op: str
    value: Any


class _TooMany(Exception):
    pass


def alternatives(text: str) -> list[list[Atom | None]]:
    """A condition as an OR of ANDs: it holds when every part of one of the inner lists holds.

    A part is an Atom where it is `variable op literal` (op in any spelling: `==`/`eq`, `!=`/`ne`,
    `<`/`lt`, `<=`/`le`, `>`/`gt`, `>=`/`ge`; the literal a text, a number with or without sign, true,
    false or null), `variable` (== true) or `!variable`/`not variable` (== false). Precedence,
    parentheses and quotes are those of the expression parser (`x == 'a || b'` is one part,
    `a || b && c` two alternatives). Negations move inward as in De Morgan's laws; a negated
    comparison is the opposite one (`!(n > 2)` is n <= 2). Every other part (function calls, dotted
    names, arithmetic, `in`, `is`, chained comparisons) is None: the caller cannot read it. A text that
    does not compile, or spreads into more than 64 alternatives, is [[None]].
    """
    try:
        tree = compile_expression(text)._tree
        return _spread(tree, negated=False)
    except (ExpressionError, _TooMany):
        return [[None]]


def _spread(node: Node, negated: bool) -> list[list[Atom | None]]:
    if isinstance(node, Unary) and node.op == "not":
        return _spread(node.operand, not negated)
    if not isinstance(node, BoolOp):
        return [[_atom(node, negated)]]
    parts = [_spread(value, negated) for value in node.values]
    result: list[list[Atom | None]]
    if (node.op == "or") != negated:
        result = [alternative for part in parts for alternative in part]
    else:
        result = [[]]
        for part in parts:
            result = [first + second for first in result for second in part]
            if len(result) > _MOST_ALTERNATIVES:
                raise _TooMany
    if len(result) > _MOST_ALTERNATIVES:
        raise _TooMany
    return result


def _atom(node: Node, negated: bool) -> Atom | None:
    if isinstance(node, Name):
        return Atom(node.name, "==", not negated)
    if isinstance(node, Compare) and len(node.ops) == 1 and node.ops[0] in _OPPOSITE and isinstance(node.first, Name):
        op = _OPPOSITE[node.ops[0]] if negated else node.ops[0]
        literal = _literal(node.rest[0])
        return None if literal is _NOT_A_LITERAL else Atom(node.first.name, op, literal)
    return None


_NOT_A_LITERAL: Any = object()


def _literal(node: Node) -> Any:
    if isinstance(node, Const) and (node.value is None or isinstance(node.value, str | bool | int | float)):
        return node.value
    # `n > -1`: the parser reads the sign as an operator on the number.
    if isinstance(node, Unary) and node.op in ("-", "+") and isinstance(node.operand, Const):
        number = node.operand.value
        if isinstance(number, int | float) and not isinstance(number, bool):
            return -number if node.op == "-" else number
    return _NOT_A_LITERAL
