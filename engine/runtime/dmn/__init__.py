"""DMN 1.3 decision tables as Camunda Modeler 5 writes them, evaluated with our own FEEL subset.

SpiffWorkflow's DMN support evaluates entries as Python and misreads FEEL (ranges, ``not(...)``,
lists); this package reads the tables itself (`reader`: every check a finding with its line) into
a model (`model`: decisions, rules, results), converts values to the columns' typeRefs (`types`)
and evaluates decisions with their required decisions under every hit policy (`evaluation`). The
entries are FEEL, interpreted by `engine.runtime.feel` (its docstring tells the FEEL semantics).

Decision models as published (DMN 1.1-1.5, the whole DRG, standard FEEL: the DMN TCK) are read by
`drg.read_model` (with `boxed`, `table`, `typeref`) on `engine.runtime.feel.standard`; see
docs/DMN-TCK.md. The SRO tables stay on the reader above, whose behaviour and speed are unchanged.
`deployed` decides per file which reader deployment uses (DMN 1.1-1.3: the Camunda-flavoured one;
DMN 1.4 and 1.5: the standard one) and evaluates either for a business rule task; the package's
`read_decisions`, `lint_dmn` and `evaluate` are its.
"""

from engine.runtime.dmn.deployed import (
    DeployedDecision,
    StandardDecision,
    decisions_of,
    evaluate,
    lint_dmn,
    read_decisions,
)
from engine.runtime.dmn.model import Decision, DecisionResult, DmnError, Rule
from engine.runtime.feel import FeelDuration, FeelExpression, UnaryTests, compile_feel_expression, compile_unary_tests

__all__ = [
    "Decision",
    "DecisionResult",
    "DeployedDecision",
    "DmnError",
    "FeelDuration",
    "FeelExpression",
    "Rule",
    "StandardDecision",
    "UnaryTests",
    "compile_feel_expression",
    "compile_unary_tests",
    "decisions_of",
    "evaluate",
    "lint_dmn",
    "read_decisions",
]
