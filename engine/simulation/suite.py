"""One run of the QA suite: the scenarios and decision tests under some folders and the coverage per diagram;
`sro simulate` and the simulation page both run it."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.simulation import decisions
from engine.simulation.coverage import DiagramCoverage, coverage
from engine.simulation.runner import QaFiles, ScenarioResult, Simulator
from engine.simulation.yamlfile import ScenarioError


@dataclass
class SuiteResult:
    scenarios: list[ScenarioResult] = field(default_factory=list)
    decision_tests: list[decisions.DecisionResult] = field(default_factory=list)
    diagrams: list[DiagramCoverage] = field(default_factory=list)
    errors: list[ScenarioError] = field(default_factory=list)  # files that could not be loaded; they did not run

    @property
    def reached(self) -> set[str]:
        return set().union(*(result.reached for result in self.scenarios))

    @property
    def sequences(self) -> list[list[str]]:
        return [sequence for result in self.scenarios for sequence in result.sequences]

    @property
    def scenarios_passed(self) -> int:
        return sum(result.ok for result in self.scenarios)

    @property
    def decision_tests_passed(self) -> int:
        return sum(result.ok for result in self.decision_tests)

    @property
    def ok(self) -> bool:
        return (not self.errors and self.scenarios_passed == len(self.scenarios)
                and self.decision_tests_passed == len(self.decision_tests))


def run_suite(files: QaFiles, simulator: Simulator, *, stop_at_errors: bool = False) -> SuiteResult:
    """Load every file, run what loaded and measure the coverage of the diagrams.

    With `stop_at_errors` nothing runs when a file cannot be loaded (the command refuses a faulty suite);
    otherwise the faulty files are reported in `errors` and the others run.
    """
    result = SuiteResult(errors=list(files.unreadable))
    scenarios = []
    for read in files.scenarios:
        try:
            scenarios.append(simulator.load(read))
        except ScenarioError as error:
            result.errors.append(error)
    tests = []
    for read in files.decision_tests:
        try:
            tests.append(decisions.load(read, simulator.decisions))
        except ScenarioError as error:
            result.errors.append(error)
    if not (stop_at_errors and result.errors):
        result.scenarios = [simulator.run(scenario) for scenario in scenarios]
        result.decision_tests = [decisions.run(test, simulator.decisions) for test in tests]
    result.diagrams = coverage(simulator.documents, result.reached, result.sequences)
    return result
