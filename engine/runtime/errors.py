"""Named errors of the engine; every message is a German sentence a user can act on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class EngineError(Exception):
    """Base of all errors the engine reports to users and the command line."""


@dataclass(frozen=True)
class Finding:
    """One problem in a diagram: file, element id (if known) and a sentence a process owner understands."""

    file: str
    element_id: str | None
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.element_id:
            where += f" [{self.element_id}]"
        return f"{where}: {self.message}"


class DeploymentError(EngineError):
    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = list(findings)
        lines = "\n".join(f"- {finding}" for finding in self.findings)
        super().__init__(f"Das Diagramm wurde nicht übernommen:\n{lines}")


class ProcessError(EngineError):
    """The diagram could not be run at an element (e.g. a condition failed); nothing was saved."""

    def __init__(self, element_id: str | None, message: str) -> None:
        self.element_id = element_id
        prefix = f"Im Prozessschritt »{element_id}«: " if element_id else ""
        super().__init__(prefix + message)


class AmbiguousGatewayError(ProcessError):
    """More than one outgoing condition of an exclusive gateway is true."""


class DmnError(EngineError):
    """A decision table or FEEL entry that cannot be read or evaluated; the message is a German sentence.

    Defined here rather than in `engine.runtime.dmn`, because the FEEL package raises it too and
    `dmn` imports FEEL.
    """

    def __init__(self, message: str, decision_id: str | None = None, rule_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.decision_id = decision_id
        self.rule_id = rule_id

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.decision_id, self.rule_id))


class FormError(EngineError):
    """Submitted form values do not fit the task's form; `errors` maps field id to a German message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        details = "; ".join(f"{field}: {message}" for field, message in self.errors.items())
        super().__init__(f"Die Eingaben sind nicht gültig: {details}")


class NotFoundError(EngineError):
    pass


class ConflictError(EngineError):
    """Someone else changed the same process instance first (optimistic lock lost); nothing was saved."""


class TaskAlreadyCompletedError(ConflictError):
    pass


class NothingWaitsError(EngineError):
    """A message was delivered to a case that does not wait for it."""
