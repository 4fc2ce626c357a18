"""Compiled FEEL entries: compile once when a decision table is read, evaluate for every case."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.runtime.errors import DmnError
from engine.runtime.feel.interpreter import Interpreter, Scope, run_guarded
from engine.runtime.feel.parser import expression_tree, tests_tree
from engine.runtime.feel.syntax import AnyTest, Node, Tests
from engine.runtime.feel.values import outbound
from engine.runtime.parsing import TOO_DEEP, Problem, clip


@dataclass(frozen=True)
class FeelExpression:
    """A compiled FEEL expression (input expression or output entry)."""

    source: str
    tree: Node = field(repr=False, compare=False)

    def evaluate(
        self, variables: Mapping[str, object], functions: Mapping[str, Callable[..., object]] | None = None
    ) -> object:
        """The value as Python code expects it (see `engine.runtime.feel`); raises only DmnError."""
        try:
            return outbound(self.value_in(Scope(variables), functions or {}))
        except Problem as problem:
            raise DmnError(f"Ausdruck »{clip(self.source)}«: {problem.reason}") from problem

    def value_in(self, scope: Scope, functions: Mapping[str, Callable[..., object]]) -> Any:
        """The FEEL value in a scope; raises Problem, for a caller that names the place itself."""
        return run_guarded(lambda: Interpreter(scope, functions).run(self.tree))


@dataclass(frozen=True)
class UnaryTests:
    """A compiled input entry: FEEL unary tests against the input value."""

    source: str
    tests: Tests = field(repr=False, compare=False)

    @property
    def is_any(self) -> bool:
        return self.tests.items == (AnyTest(),) and not self.tests.negated

    def matches(
        self,
        value: object,
        variables: Mapping[str, object] | None = None,
        functions: Mapping[str, Callable[..., object]] | None = None,
    ) -> bool:
        """True if the value passes; null results (incompatible types) do not match. Raises only DmnError."""
        try:
            return self.matches_in(value, Scope(variables or {}), functions or {})
        except Problem as problem:
            raise DmnError(f"Eingabezelle »{clip(self.source)}«: {problem.reason}") from problem

    def matches_in(self, value: object, scope: Scope, functions: Mapping[str, Callable[..., object]]) -> bool:
        """Whether the value passes in a scope; raises Problem, for a caller that names the place itself."""
        if self.is_any:
            return True
        return run_guarded(lambda: Interpreter(scope, functions).test(self.tests, value)) is True


def _guarded_compile(action: Callable[[], Any]) -> Any:
    try:
        return action()
    except Problem:
        raise
    except RecursionError:
        raise Problem(TOO_DEEP) from None
    except Exception as error:
        raise Problem(f"Der Eintrag ließ sich nicht lesen ({type(error).__name__}).") from error


def read_expression(text: str) -> FeelExpression:
    """Like compile_feel_expression, but raises Problem: the table reader adds the place of the cell."""
    return FeelExpression(text, _guarded_compile(lambda: expression_tree(text)))


def read_unary_tests(text: str) -> UnaryTests:
    """Like compile_unary_tests, but raises Problem: the table reader adds the place of the cell."""
    return UnaryTests(text, _guarded_compile(lambda: tests_tree(text)))


def compile_feel_expression(text: str) -> FeelExpression:
    """Parse a FEEL expression; raises DmnError (German reason) if it is refused."""
    try:
        return read_expression(text)
    except Problem as problem:
        raise DmnError(f"Ausdruck »{clip(str(text))}«: {problem.reason}") from None


def compile_unary_tests(text: str) -> UnaryTests:
    """Parse an input entry (FEEL unary tests); raises DmnError (German reason) if it is refused."""
    try:
        return read_unary_tests(text)
    except Problem as problem:
        raise DmnError(f"Eingabezelle »{clip(str(text))}«: {problem.reason}") from None


