"""DMN 1.3 decision tables as Camunda Modeler 5 writes them, evaluated with our own FEEL subset.

SpiffWorkflow's DMN support evaluates entries as Python and misreads FEEL (ranges, ``not(...)``,
lists); this package reads the tables itself (`reader`: every check a finding with its line) into
a model (`model`: decisions, rules, results), converts values to the columns' typeRefs (`types`)
and evaluates decisions with their required decisions under every hit policy (`evaluation`). The
entries are FEEL, interpreted by `engine.runtime.feel` (its docstring tells the FEEL semantics).
"""

from engine.runtime.dmn.evaluation import evaluate
from engine.runtime.dmn.model import Decision, DecisionResult, DmnError, Rule
from engine.runtime.dmn.reader import lint_dmn, read_decisions
from engine.runtime.feel import FeelDuration, FeelExpression, UnaryTests, compile_feel_expression, compile_unary_tests

__all__ = [
    "Decision",
    "DecisionResult",
    "DmnError",
    "FeelDuration",
    "FeelExpression",
    "Rule",
    "UnaryTests",
    "compile_feel_expression",
    "compile_unary_tests",
    "evaluate",
    "lint_dmn",
    "read_decisions",
]
