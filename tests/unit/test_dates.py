"""Date rules of the forms: an agreed appointment falls on a working day in Lower Saxony."""

from __future__ import annotations

from datetime import date

import pytest

from engine.domain.dates import appointment_day_problem, date_problems

TODAY = date(2025, 3, 3)  # a Monday


@pytest.mark.parametrize(("day", "message"), [
    (date(2025, 3, 8), "Der 08.03.2025 ist ein Samstag; ein Termin ist nur an Arbeitstagen möglich, der nächste ist "
                       "Montag, der 10.03.2025."),
    (date(2025, 3, 9), "Der 09.03.2025 ist ein Sonntag; ein Termin ist nur an Arbeitstagen möglich, der nächste ist "
                       "Montag, der 10.03.2025."),
    # Good Friday, then the weekend and Easter Monday: the next working day is Tuesday
    (date(2025, 4, 18), "Der 18.04.2025 ist ein Feiertag in Niedersachsen; ein Termin ist nur an Arbeitstagen "
                        "möglich, der nächste ist Dienstag, der 22.04.2025."),
    (date(2025, 10, 31), "Der 31.10.2025 ist ein Feiertag in Niedersachsen; ein Termin ist nur an Arbeitstagen "
                         "möglich, der nächste ist Montag, der 03.11.2025."),  # Reformation Day (Lower Saxony)
    (date(2025, 3, 10), None),
])
def test_an_appointment_falls_on_a_working_day(day: date, message: str | None) -> None:
    assert appointment_day_problem(day) == message


@pytest.mark.parametrize(("choice", "refused"), [
    ("folgetermin_praesenz", True), ("folgetermin_telefon", True), ("wiedervorlage", False), (None, False)])
def test_only_an_appointment_as_next_contact_is_refused_on_a_weekend(choice: str | None, refused: bool) -> None:
    cleaned = {"naechsterKontaktAm": date(2025, 3, 8)}
    if choice is not None:
        cleaned["naechsterKontakt"] = choice  # type: ignore[assignment]
    assert ("naechsterKontaktAm" in date_problems(cleaned, TODAY)) is refused


def test_a_past_weekend_appointment_names_the_past_first() -> None:
    problems = date_problems({"naechsterKontakt": "folgetermin_praesenz", "naechsterKontaktAm": date(2025, 3, 1)},
                             TODAY)
    assert problems == {"naechsterKontaktAm": "Das Datum darf nicht in der Vergangenheit liegen."}
