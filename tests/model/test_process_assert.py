"""The case assertions of tests/process_assert.py: they pass where the case is, and fail saying where it is."""

from __future__ import annotations

from datetime import date

import pytest

from engine.services import Services
from tests.model.sro import Fall, agreed_plan
from tests.process_assert import CaseAssert, assert_that, in_order


def step_not_done(services: Services) -> Fall:
    """Plan agreed on Monday 3 March 2025, 9:00 in Berlin, for three months; the step due on the 10th not done."""
    fall = agreed_plan(services, (7, None))
    fall.advance("P7D")
    fall.complete("Task_SchrittPruefen", schrittNr=1, schrittErledigt=False)
    return fall


def failure(check: CaseAssert, method: str, *args: object, **kwargs: object) -> str:
    with pytest.raises(AssertionError) as caught:
        getattr(check, method)(*args, **kwargs)
    return str(caught.value)


def test_waiting_at_fails_naming_the_case_what_it_waits_for_and_its_path(services: Services) -> None:
    fall = step_not_done(services)
    assert failure(assert_that(fall), "is_waiting_at", "Task_SchrittPruefen") == (
        "Fall K-000001: erwartet wartend an [Task_SchrittPruefen], wartet aber an [Task_GruendeBesprechen, "
        "Nachricht Meldeversaeumnis an StartEvent_Meldeversaeumnis, Nachricht PflichtErfuellt an StartEvent_Aufhebung, "
        "Zeitgeber Event_Ueberpruefung fällig 03.06.2025 09:00]; "
        "zuletzt durchlaufen: … → Task_Kooperationsplan → Task_PlanFesthalten → Task_PrioritaetPlan "
        "→ Task_KontaktdichtePlan → StartEvent_Plan → Gateway_SchrittMerge → Event_SchrittFaellig "
        "→ Task_SchrittPruefen → Task_SchrittStatus → Gateway_SchrittErledigt")


def test_assertions_that_hold_chain_and_change_nothing(services: Services) -> None:
    fall = step_not_done(services)
    check = assert_that(fall)
    assert check.is_waiting_at("Task_GruendeBesprechen", "Event_Ueberpruefung") is check
    check.has_open_tasks_exactly("Task_GruendeBesprechen").is_waiting_exactly_at(
        "Task_GruendeBesprechen", "StartEvent_Meldeversaeumnis", "StartEvent_Aufhebung", "Event_Ueberpruefung",
    ).is_waiting_for_timer(
        "Event_Ueberpruefung", due=date(2025, 6, 3)).has_passed(
        "Task_Erstgespraech", "Event_SchrittFaellig").has_passed_in_order(
        "Task_Erstgespraech", "Task_Kooperationsplan", "Task_SchrittPruefen").has_not_passed("Task_AfErstellen")
    assert assert_that(services, fall.id).task("Task_GruendeBesprechen").id == fall.task("Task_GruendeBesprechen").id


def test_each_failure_says_what_was_expected_and_what_is(services: Services) -> None:
    fall = step_not_done(services)
    check = assert_that(fall)
    waiting = ("wartet an [Task_GruendeBesprechen, Nachricht Meldeversaeumnis an StartEvent_Meldeversaeumnis, "
               "Nachricht PflichtErfuellt an StartEvent_Aufhebung, "
               "Zeitgeber Event_Ueberpruefung fällig 03.06.2025 09:00]")
    assert failure(check, "has_open_tasks_exactly", "Task_SchrittPruefen").startswith(
        f"Fall K-000001: erwartet offene Aufgaben genau [Task_SchrittPruefen], offen sind aber "
        f"[Task_GruendeBesprechen]; {waiting}; zuletzt durchlaufen: … → ")
    assert failure(check, "is_waiting_exactly_at", "Task_GruendeBesprechen").startswith(
        "Fall K-000001: erwartet wartend genau an [Task_GruendeBesprechen], wartet aber an "
        "[Task_GruendeBesprechen, Nachricht Meldeversaeumnis an StartEvent_Meldeversaeumnis, "
        "Nachricht PflichtErfuellt an StartEvent_Aufhebung, Zeitgeber Event_Ueberpruefung fällig 03.06.2025 09:00]; "
        "zuletzt durchlaufen: ")
    assert failure(check, "is_waiting_for_timer", "Event_Ueberpruefung", due=date(2025, 6, 4)).startswith(
        f"Fall K-000001: erwartet Zeitgeber Event_Ueberpruefung fällig 04.06.2025, er ist aber fällig "
        f"03.06.2025 09:00; {waiting}; ")
    assert failure(check, "is_waiting_for_timer", "Event_SchrittFaellig").startswith(
        "Fall K-000001: erwartet wartend auf einen Zeitgeber Event_SchrittFaellig, wartet aber an [")
    assert failure(check, "is_waiting_for_message", "NachweisEingegangen").startswith(
        "Fall K-000001: erwartet wartend auf Nachricht NachweisEingegangen, wartet aber an [")
    assert failure(check, "has_passed", "Task_SchrittPruefen", "Task_AfErstellen").startswith(
        f"Fall K-000001: erwartet durchlaufen [Task_SchrittPruefen, Task_AfErstellen], nicht durchlaufen aber "
        f"[Task_AfErstellen]; {waiting}; ")
    assert failure(check, "has_passed_in_order", "Task_Kooperationsplan", "Task_Erstgespraech").startswith(
        "Fall K-000001: erwartet durchlaufen in dieser Reihenfolge [Task_Kooperationsplan, Task_Erstgespraech], "
        f"nach [Task_Kooperationsplan] fehlt aber Task_Erstgespraech; {waiting}; ")
    assert failure(check, "has_not_passed", "Task_AfErstellen", "Task_SchrittPruefen").startswith(
        "Fall K-000001: erwartet nicht durchlaufen [Task_AfErstellen, Task_SchrittPruefen], durchlaufen aber "
        "[Task_SchrittPruefen]; ")
    assert failure(check, "task", "Task_SchrittPruefen").startswith(
        f"Fall K-000001: erwartet eine offene Aufgabe Task_SchrittPruefen, offen sind aber 0; {waiting}; ")


def test_with_a_command_only_its_path_counts(services: Services) -> None:
    fall = agreed_plan(services, (7, None))
    fall.advance("P7D")
    outcome = fall.complete("Task_SchrittPruefen", schrittNr=1, schrittErledigt=False)
    assert_that(fall).has_passed("Task_Erstgespraech")
    assert failure(assert_that(fall, command=outcome), "has_passed", "Task_Erstgespraech") == (
        "Fall K-000001: erwartet durchlaufen [Task_Erstgespraech], nicht durchlaufen aber [Task_Erstgespraech]; "
        "wartet an [Task_GruendeBesprechen, Nachricht Meldeversaeumnis an StartEvent_Meldeversaeumnis, "
        "Nachricht PflichtErfuellt an StartEvent_Aufhebung, Zeitgeber Event_Ueberpruefung fällig 03.06.2025 09:00]; "
        "in diesem Befehl durchlaufen: Task_SchrittPruefen → Task_SchrittStatus → Gateway_SchrittErledigt")


def test_a_case_that_waits_for_nothing_says_so(services: Services) -> None:
    fall = Fall(services)
    fall.session("Task_Erstgespraech", ergebnis="ausnahme_rueckmeldung", ausnahme="unzumutbar")
    assert failure(assert_that(fall), "is_waiting_at", "Task_Kooperationsplan").startswith(
        "Fall K-000001: erwartet wartend an [Task_Kooperationsplan], wartet aber an [Nachricht Meldeversaeumnis an "
        "StartEvent_Meldeversaeumnis, Nachricht PflichtErfuellt an StartEvent_Aufhebung, Zeitgeber ")


@pytest.mark.parametrize(("path", "expected", "found"), [
    (["A", "B", "C"], ["A", "C"], 2),
    (["A", "B", "C"], ["C", "A"], 1),
    (["A", "B"], ["A", "B", "B"], 2),
    ([], ["A"], 0),
    (["A"], [], 0),
])
def test_in_order_counts_the_expected_elements_found_in_order(path: list[str], expected: list[str],
                                                             found: int) -> None:
    assert in_order(path, expected) == found
