"""FEEL as the DMN 1.5 specification defines it, for decision models read as published (the DMN TCK).

`compiler` turns text into closures once; `operators` says what they do; `values`, `temporal`,
`library` and `library_lists` hold the values and the built-in functions; `scope` the names in
reach and the budget of one evaluation. Written by hand: no Python FEEL implementation on the
package index covers DMN 1.5 FEEL with limits on hostile input (see `engine.runtime.feel`, whose
Camunda-flavoured subset stays what the SRO decision tables run on, unchanged).
"""

from engine.runtime.feel.standard.compiler import Evaluator, compile_expression, compile_tests
from engine.runtime.feel.standard.library import builtins
from engine.runtime.feel.standard.scope import Budget, Env

__all__ = ["Budget", "Env", "Evaluator", "builtins", "compile_expression", "compile_tests"]
