"""Compiled gateway expressions: compile once when a diagram is deployed, evaluate for every token."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.runtime.expressions.interpreter import Interpreter
from engine.runtime.expressions.parser import analyse, parse
from engine.runtime.expressions.syntax import Node
from engine.runtime.parsing import TOO_DEEP, Problem


class ExpressionError(Exception):
    """An expression that cannot be compiled or evaluated; ``str(e)`` is shown to process owners."""

    def __init__(self, expression: str, reason: str) -> None:
        super().__init__(f"Ausdruck »{expression}«: {reason}")
        self.expression = expression
        self.reason = reason

    def __reduce__(self) -> tuple[Any, ...]:
        # The default would call ExpressionError(message) when unpickling and miss the second argument.
        return (type(self), (self.expression, self.reason))


@dataclass(frozen=True)
class Expression:
    """A compiled expression: compile once when the diagram is deployed, evaluate for every token.

    Operators follow Python where JUEL and Python differ: `and`/`or` return the deciding operand
    (`0 or 'x'` is 'x'); conditions only test its truth. `not` binds like in Python (below comparisons),
    JUEL's `!` and `empty` bind tightly. The JUEL words eq, ne, lt, gt, le, ge, div, mod, empty and the
    constants true, false, null are reserved and cannot be variable names.
    """

    source: str
    names: frozenset[str]
    functions: frozenset[str]
    _tree: Node = field(repr=False, compare=False)

    def evaluate(
        self, variables: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]] | None = None
    ) -> Any:
        """The value of the expression; every failure, whatever its cause, becomes an ExpressionError."""
        try:
            return Interpreter(variables, functions or {}).run(self._tree)
        except Problem as problem:
            raise ExpressionError(self.source, problem.reason) from problem
        except RecursionError as error:
            # Only reachable through self-referencing data, e.g. a list that contains itself.
            raise ExpressionError(self.source, "Die Auswertung ist zu tief verschachtelt.") from error
        except MemoryError as error:
            raise ExpressionError(self.source, "Für die Auswertung reicht der Speicher nicht.") from error
        except Exception as error:
            # Variables and functions come from outside; whatever they raise must not leak past this point.
            raise ExpressionError(
                self.source, f"Die Auswertung ist fehlgeschlagen ({type(error).__name__}: {error})."
            ) from error


@functools.lru_cache(maxsize=4096)
def compile_expression(text: str) -> Expression:
    """Parse and check an expression, with or without `${...}`; raises ExpressionError if it is refused."""
    if not isinstance(text, str):
        raise ExpressionError(str(text), "Ein Ausdruck muss ein Text sein.")
    try:
        tree = parse(text)
        names, functions = analyse(tree)
    except Problem as problem:
        raise ExpressionError(text, problem.reason) from None
    except RecursionError as error:
        # The parser limits its own depth; this only happens when the caller's stack is nearly full already.
        raise ExpressionError(text, TOO_DEEP) from error
    except Exception as error:
        reason = f"Der Ausdruck ließ sich nicht lesen ({type(error).__name__})."
        raise ExpressionError(text, reason) from error
    return Expression(text, names, functions, tree)


def evaluate(
    text: str, variables: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]] | None = None
) -> Any:
    """Compile (cached) and evaluate `text`; raises only ExpressionError."""
    return compile_expression(text).evaluate(variables, functions)
