"""The interpreter of gateway expressions: a syntax tree and variables in, a value out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, assert_never

from engine.runtime.expressions.methods import call_method
from engine.runtime.expressions.syntax import (
    Attribute,
    Binary,
    BoolOp,
    Call,
    Compare,
    Conditional,
    Const,
    ListLit,
    Method,
    Name,
    Node,
    Subscript,
    TupleLit,
    Unary,
)
from engine.runtime.expressions.values import arithmetic, compare, item, member, unary
from engine.runtime.parsing import Problem


class Interpreter:
    """Walks a checked syntax tree with the variables and functions of one evaluation."""

    def __init__(self, variables: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]]) -> None:
        self._variables = variables
        self._functions = functions

    def run(self, node: Node) -> Any:
        match node:
            case Const(value):
                return value
            case Name(name):
                if name not in self._variables:
                    raise Problem(f"Unbekannte Variable '{name}'.")
                return self._variables[name]
            case Attribute(target, attr):
                return member(self.run(target), attr, target)
            case Subscript(target, index):
                return item(self.run(target), self.run(index), target)
            case Unary(op, operand):
                return unary(op, self.run(operand))
            case Binary(op, left, right):
                return arithmetic(op, self.run(left), self.run(right))
            case BoolOp(op, values):
                return self._bool(op, values)
            case Compare(first, ops, rest):
                return self._chain(first, ops, rest)
            case Conditional(test, then, other):
                return self.run(then) if self.run(test) else self.run(other)
            case Call(function, args):
                return self._call(function, args)
            case Method(target, name, args):
                return call_method(name, self.run(target), [self.run(arg) for arg in args])
            case ListLit(items):
                return [self.run(entry) for entry in items]
            case TupleLit(items):
                return tuple(self.run(entry) for entry in items)
        assert_never(node)

    def _bool(self, op: str, values: tuple[Node, ...]) -> Any:
        # Python semantics: the deciding operand itself is returned, so `name or 'unbekannt'` works.
        for node in values[:-1]:
            value = self.run(node)
            if bool(value) == (op == "or"):
                return value
        return self.run(values[-1])

    def _chain(self, first: Node, ops: tuple[str, ...], rest: tuple[Node, ...]) -> bool:
        left = self.run(first)
        for op, node in zip(ops, rest, strict=True):
            right = self.run(node)
            if not compare(op, left, right):
                return False
            left = right
        return True

    def _call(self, name: str, args: tuple[Node, ...]) -> Any:
        function = self._functions.get(name)
        if function is None:
            raise Problem(f"Unbekannte Funktion '{name}'.")
        values = [self.run(arg) for arg in args]
        try:
            return function(*values)
        except Exception as error:
            raise Problem(f"Die Funktion '{name}' ist fehlgeschlagen: {error}") from error
