"""Safe evaluation of diagram expressions (JUEL and Python style) by our own parser, never eval or exec.

Gateway conditions, timer values, assignments and dates in a diagram are JUEL as Camunda Modeler
writes it (`${planVereinbart == true}`, `#{a && !b}`, `x > 3 ? 'a' : 'b'`, `n ge 2`, `empty liste`),
mixed with Python spellings (`and`, `or`, `not`, `x if c else y`, `//`, `**`). The text is cut into
tokens (`tokens`), read by a Pratt parser into a syntax tree (`parser`, `syntax`) whose size and
depth are checked, and walked by an interpreter (`interpreter`) over values with Python semantics
and German messages (`values`). `conditions` reads a condition as alternatives of simple
comparisons for the path explorer.

Written by hand because no library reads this language: simpleeval and asteval both parse with
Python's own `ast` module, so they refuse `&&`, `||`, `!`, `${…}`, `eq` or `empty` before any
whitelisting starts, and their errors are English sentences about Python syntax, while process
owners need a German sentence naming the place in their expression. What this evaluator shares with
the FEEL evaluator of decision tables (tokenizer loop, limits, tree check) is in
`engine/runtime/parsing.py`.
"""

from engine.runtime.expressions.compiled import Expression, ExpressionError, compile_expression, evaluate
from engine.runtime.expressions.conditions import Atom, alternatives
from engine.runtime.expressions.tokens import unwrap

__all__ = ["Atom", "Expression", "ExpressionError", "alternatives", "compile_expression", "evaluate", "unwrap"]
