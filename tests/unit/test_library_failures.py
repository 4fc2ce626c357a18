"""What SpiffWorkflow says when an instance cannot go on is said in German."""

from __future__ import annotations

import pytest

from engine.runtime.fidelity import failure_in_german


@pytest.mark.parametrize(("detail", "start"), [
    ("No conditions satisfied on gateway x", "Keine Bedingung ist erfüllt"),
    ("maximum recursion depth exceeded while calling a Python object", "Die Engine kann die Zusammenführungen"),
])
def test_known_library_failures_are_said_in_german(detail: str, start: str) -> None:
    assert failure_in_german(detail).startswith(start)


def test_an_unknown_failure_keeps_the_librarys_text_as_detail() -> None:
    assert failure_in_german("boom") == "Die Prozessausführung ist fehlgeschlagen: boom"
