"""FEEL as Camunda 7 evaluates it in decision tables: a subset, read and run by our own code.

The entries of a table are cut into tokens (`tokens`), parsed into a syntax tree of expressions
or unary tests (`parser`, `syntax`) whose size and depth are checked, and run by an interpreter
(`interpreter`) over FEEL values (`values`) and built-in functions (`functions`); `compiled` is
the public face. Never eval, exec or compile, with limits on text length, nesting depth and number
size. What FEEL shares with the gateway expressions (tokenizer loop, limits, tree check) is in
`engine/runtime/parsing.py`; its ISO 8601 durations are read by `engine/runtime/durations.py`.

Written by hand because nothing on the package index fits: SpiffWorkflow's DMN support evaluates
entries as Python and misreads FEEL (ranges, ``not(...)``, lists); bkflow-feel (1.2.0, December
2023) documents neither Camunda's null semantics nor limits on its input; pySFeel (1.4.2,
September 2022) reads S-FEEL only and keeps years-and-months durations as floats, and pyDMNrules,
built on it, reads its rules from Excel workbooks. A decision table uploaded by a process owner is
untrusted input, and its messages must be German sentences naming the cell.

FEEL semantics worth knowing (they follow Camunda's FEEL engine):

* Comparing values of incompatible types (a date with a number, a text with a number, a date with a
  date-time) gives null, never an error; in an input entry null means "does not match", also under
  ``not(...)``. The same holds for ``and``/``or`` (three-valued logic) and arithmetic on unfitting
  types or division by zero (null).
* Numbers are exact: integer literals are ``int``, decimals ``Decimal``; floats coming from variables are
  read by their shortest decimal form (0.1 stays 0.1). Results leave this package as ``int`` when whole,
  otherwise ``float`` (as Camunda maps FEEL numbers to Long/Double), then the output's typeRef applies.
* A missing field of a record (``fall.kinder`` when ``fall`` has no ``kinder``) is null as in FEEL,
  but a top-level name that is not among the variables is an error ("Unbekannte Eingabe"), so that a
  typo or an unquoted text cannot silently make a rule never match.
* ``duration("P6M")`` gives a :class:`FeelDuration` (calendar months kept apart from seconds; date
  arithmetic clamps to the month end like Java). ``str()`` of it is the ISO text.
* ``today()``/``now()`` are not built in: the engine passes them in ``functions`` from its own clock.
  Built-in functions cannot be shadowed by passed functions.
"""

from engine.runtime.feel.compiled import FeelExpression, UnaryTests, compile_feel_expression, compile_unary_tests
from engine.runtime.feel.values import FeelDuration

__all__ = ["FeelDuration", "FeelExpression", "UnaryTests", "compile_feel_expression", "compile_unary_tests"]
