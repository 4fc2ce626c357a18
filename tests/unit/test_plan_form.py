"""The Kooperationsplan custom form (plan.validate_plan) and the helper functions on its steps."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from engine.domain import plan
from engine.domain.plan import check_date, find_step, next_check, open_count, replace_step, validate_plan
from engine.runtime.errors import FormError
from engine.runtime.model import FormField, UserTaskDef

TODAY = date(2025, 3, 10)
REQUIRED: tuple[str, str | None] = ("required", None)
DURATIONS = (("P1M", "1 Monat"), ("P2M", "2 Monate"), ("P3M", "3 Monate"), ("P6M", "6 Monate"))
PLAN_TASK = UserTaskDef(
    id="Task_PlanVereinbaren",
    name="Kooperationsplan vereinbaren",
    form_key=plan.FORM_KEY,
    fields=(
        FormField(id="planZiel", label="Integrationsziel", type="string", constraints=(REQUIRED,)),
        FormField(id="planLaufzeit", label="Laufzeit", type="enum", options=DURATIONS, constraints=(REQUIRED,)),
        FormField(id="eigenbemuehungen", label="Eigenbemühungen", type="string"),
    ),
)
RESPONSIBLE_ERROR = "Ungültige Auswahl; erlaubt sind »eLb«, »Jobcenter«, »gemeinsam«."


def step(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {"beschreibung": "Fünf Bewerbungen schreiben", "verantwortlich": "elb",
                           "faellig": "2025-03-31"}
    raw.update(overrides)
    return raw


def submission(*steps: Any, **flat: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"planZiel": "Arbeit im Lager", "planLaufzeit": "P3M"}
    data.update(flat)
    data["schritte"] = list(steps)
    return data


def errors_of(submitted: dict[str, Any], today: date = TODAY) -> dict[str, str]:
    with pytest.raises(FormError) as info:
        validate_plan(PLAN_TASK, submitted, today)
    return info.value.errors


# --------------------------------------------------------------------------- good submissions


def test_good_plan_returns_numbered_open_steps_with_parsed_dates() -> None:
    submitted = submission(
        step(),
        step(beschreibung="Sprachkurs B1 vermitteln", verantwortlich="jobcenter", faellig="31.12.2025",
             wiedervorlage="15.12.2025"),
        step(beschreibung="Lebenslauf gemeinsam überarbeiten", verantwortlich="gemeinsam", faellig=TODAY,
             wiedervorlage=""),
        eigenbemuehungen="Fünf Bewerbungen im Monat",
    )
    assert validate_plan(PLAN_TASK, submitted, TODAY) == {
        "planZiel": "Arbeit im Lager",
        "planLaufzeit": "P3M",
        "eigenbemuehungen": "Fünf Bewerbungen im Monat",
        "schritte": [
            {"nr": 1, "beschreibung": "Fünf Bewerbungen schreiben", "verantwortlich": "elb",
             "faellig": date(2025, 3, 31), "wiedervorlage": None, "status": "offen"},
            {"nr": 2, "beschreibung": "Sprachkurs B1 vermitteln", "verantwortlich": "jobcenter",
             "faellig": date(2025, 12, 31), "wiedervorlage": date(2025, 12, 15), "status": "offen"},
            {"nr": 3, "beschreibung": "Lebenslauf gemeinsam überarbeiten", "verantwortlich": "gemeinsam",
             "faellig": TODAY, "wiedervorlage": None, "status": "offen"},
        ],
        "planVereinbartAm": TODAY,
    }


def test_optional_flat_field_left_out_is_none() -> None:
    cleaned = validate_plan(PLAN_TASK, submission(step()), TODAY)
    assert cleaned["eigenbemuehungen"] is None
    assert cleaned["planVereinbartAm"] == TODAY


def test_steps_may_be_a_tuple_and_wiedervorlage_today_is_fine() -> None:
    data = submission()
    data["schritte"] = (step(wiedervorlage=TODAY.isoformat()),)
    assert validate_plan(PLAN_TASK, data, TODAY)["schritte"][0]["wiedervorlage"] == TODAY


def test_twenty_steps_are_allowed() -> None:
    cleaned = validate_plan(PLAN_TASK, submission(*[step() for _ in range(20)]), TODAY)
    assert [item["nr"] for item in cleaned["schritte"]] == list(range(1, 21))


def test_description_of_500_characters_is_allowed() -> None:
    cleaned = validate_plan(PLAN_TASK, submission(step(beschreibung="x" * 500)), TODAY)
    assert cleaned["schritte"][0]["beschreibung"] == "x" * 500


# --------------------------------------------------------------------------- step errors


@pytest.mark.parametrize("description", [None, "", "   ", 42])
def test_step_without_description(description: Any) -> None:
    assert errors_of(submission(step(), step(beschreibung=description))) == {
        "schritte.2.beschreibung": "Pflichtfeld: bitte den Schritt beschreiben."
    }


def test_step_description_too_long() -> None:
    assert errors_of(submission(step(beschreibung="x" * 501))) == {"schritte.1.beschreibung": "Höchstens 500 Zeichen."}


@pytest.mark.parametrize("responsible", ["kunde", "eLb", "", None])
def test_step_with_wrong_responsible_party(responsible: Any) -> None:
    assert errors_of(submission(step(verantwortlich=responsible))) == {"schritte.1.verantwortlich": RESPONSIBLE_ERROR}


def test_step_without_responsible_party_key() -> None:
    raw = step()
    del raw["verantwortlich"]
    assert errors_of(submission(raw)) == {"schritte.1.verantwortlich": RESPONSIBLE_ERROR}


@pytest.mark.parametrize("responsible", [["elb"], {"id": "elb"}])
def test_step_with_unhashable_responsible_party_is_a_form_error(responsible: Any) -> None:
    assert errors_of(submission(step(verantwortlich=responsible))) == {"schritte.1.verantwortlich": RESPONSIBLE_ERROR}


def test_step_due_date_in_the_past() -> None:
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    assert errors_of(submission(step(faellig=yesterday))) == {
        "schritte.1.faellig": "Die Fälligkeit darf nicht in der Vergangenheit liegen."
    }
    assert errors_of(submission(step(faellig="09.03.2025"))) == {
        "schritte.1.faellig": "Die Fälligkeit darf nicht in der Vergangenheit liegen."
    }


@pytest.mark.parametrize("due", [None, ""])
def test_step_without_due_date(due: Any) -> None:
    assert errors_of(submission(step(faellig=due))) == {"schritte.1.faellig": "Pflichtfeld: bitte ein Datum angeben."}


@pytest.mark.parametrize("due", ["31.02.2025", "2025-3-31", "morgen", 20250331])
def test_step_with_invalid_due_date(due: Any) -> None:
    assert errors_of(submission(step(faellig=due))) == {
        "schritte.1.faellig": "Bitte ein gültiges Datum im Format TT.MM.JJJJ eingeben."
    }


def test_step_wiedervorlage_in_the_past() -> None:
    assert errors_of(submission(step(wiedervorlage="2025-03-09"))) == {
        "schritte.1.wiedervorlage": "Die Wiedervorlage darf nicht in der Vergangenheit liegen."
    }


def test_step_with_invalid_wiedervorlage() -> None:
    assert errors_of(submission(step(wiedervorlage="32.03.2025"))) == {
        "schritte.1.wiedervorlage": "Bitte ein gültiges Datum im Format TT.MM.JJJJ eingeben."
    }


def test_step_with_unknown_fields() -> None:
    assert errors_of(submission(step(status="erledigt", nr=7))) == {
        "schritte.1.nr": "Dieses Feld gibt es im Schritt nicht.",
        "schritte.1.status": "Dieses Feld gibt es im Schritt nicht.",
    }


@pytest.mark.parametrize("raw", ["Bewerbungen schreiben", None, ["elb"]])
def test_step_that_is_not_an_object(raw: Any) -> None:
    assert errors_of(submission(step(), raw)) == {
        "schritte.2": "Ein Schritt braucht Beschreibung, Verantwortung und Fälligkeit."
    }


def test_all_problems_of_all_steps_are_reported() -> None:
    assert errors_of(submission(step(beschreibung="", verantwortlich="x", faellig="2025-01-01"), step(),
                                step(wiedervorlage="2025-01-01", extra=1))) == {
        "schritte.1.beschreibung": "Pflichtfeld: bitte den Schritt beschreiben.",
        "schritte.1.verantwortlich": RESPONSIBLE_ERROR,
        "schritte.1.faellig": "Die Fälligkeit darf nicht in der Vergangenheit liegen.",
        "schritte.3.extra": "Dieses Feld gibt es im Schritt nicht.",
        "schritte.3.wiedervorlage": "Die Wiedervorlage darf nicht in der Vergangenheit liegen.",
    }


# --------------------------------------------------------------------------- the list of steps


def test_more_than_twenty_steps() -> None:
    assert errors_of(submission(*[step() for _ in range(21)])) == {
        "schritte": "Höchstens 20 Schritte je Kooperationsplan."
    }


@pytest.mark.parametrize("steps", [[], None, "Schritt 1", {"1": {"beschreibung": "x"}}, 3])
def test_no_steps(steps: Any) -> None:
    data = submission()
    data["schritte"] = steps
    assert errors_of(data) == {"schritte": "Bitte mindestens einen Schritt mit Fälligkeit eintragen."}


def test_missing_steps_key() -> None:
    assert errors_of({"planZiel": "Arbeit im Lager", "planLaufzeit": "P6M"}) == {
        "schritte": "Bitte mindestens einen Schritt mit Fälligkeit eintragen."
    }


# --------------------------------------------------------------------------- flat fields


def test_flat_field_errors_are_reported_with_step_errors() -> None:
    assert errors_of(submission(step(faellig="2025-03-01"), planZiel="", planLaufzeit="P12M")) == {
        "planZiel": "Pflichtfeld: bitte ausfüllen.",
        "planLaufzeit": "Ungültige Auswahl; erlaubt sind »1 Monat«, »2 Monate«, »3 Monate«, »6 Monate«.",
        "schritte.1.faellig": "Die Fälligkeit darf nicht in der Vergangenheit liegen.",
    }


def test_flat_field_errors_are_reported_with_a_missing_step_list() -> None:
    assert errors_of({"planLaufzeit": "P1M"}) == {
        "planZiel": "Pflichtfeld: bitte ausfüllen.",
        "schritte": "Bitte mindestens einen Schritt mit Fälligkeit eintragen.",
    }


def test_unknown_flat_field_is_refused() -> None:
    # the form may not set the agreement date (or any undeclared variable) itself
    assert errors_of(submission(step(), planVereinbartAm="2020-01-01")) == {
        "planVereinbartAm": "Dieses Feld gibt es im Formular nicht."
    }


def test_form_error_message_lists_the_fields() -> None:
    with pytest.raises(FormError) as info:
        validate_plan(PLAN_TASK, submission(), TODAY)
    assert str(info.value) == ("Die Eingaben sind nicht gültig: "
                               "schritte: Bitte mindestens einen Schritt mit Fälligkeit eintragen.")


# --------------------------------------------------------------------------- naechsterPruefzeitpunkt, offeneSchritte


def stored(nr: int, due: date, follow_up: date | None = None, status: str = "offen") -> dict[str, Any]:
    return {"nr": nr, "beschreibung": f"Schritt {nr}", "verantwortlich": "elb", "faellig": due,
            "wiedervorlage": follow_up, "status": status}


def test_next_check_is_the_earliest_check_of_an_open_step() -> None:
    steps = [
        stored(1, date(2025, 3, 1), status="erledigt"),  # earliest, but closed
        stored(2, date(2025, 5, 1), follow_up=date(2025, 4, 1)),  # Wiedervorlage before the due date wins
        stored(3, date(2025, 4, 15)),
        stored(4, date(2025, 3, 20), status="aufgefordert"),  # not open
    ]
    assert next_check(steps) == date(2025, 4, 1)
    assert open_count(steps) == 2


def test_next_check_wiedervorlage_wins_even_after_the_due_date() -> None:
    steps = [stored(1, date(2025, 4, 1), follow_up=date(2025, 4, 20)), stored(2, date(2025, 4, 10))]
    assert check_date(steps[0]) == date(2025, 4, 20)
    assert next_check(steps) == date(2025, 4, 10)
    assert next_check(steps[:1]) == date(2025, 4, 20)


def test_check_date_without_wiedervorlage_is_the_due_date() -> None:
    assert check_date(stored(1, date(2025, 4, 1))) == date(2025, 4, 1)
    assert check_date({"faellig": date(2025, 4, 1)}) == date(2025, 4, 1)


@pytest.mark.parametrize("steps", [None, [], [stored(1, date(2025, 4, 1), status="erledigt")]])
def test_next_check_without_open_step(steps: list[dict[str, Any]] | None) -> None:
    with pytest.raises(ValueError) as info:
        next_check(steps)
    assert str(info.value) == "Der Kooperationsplan hat keinen offenen Schritt mehr."


def test_open_count() -> None:
    assert open_count(None) == 0
    assert open_count([]) == 0
    assert open_count([stored(1, TODAY), stored(2, TODAY, status="erledigt"), stored(3, TODAY)]) == 2


def test_find_and_replace_step_copy() -> None:
    steps = [stored(1, TODAY), stored(2, TODAY)]
    found = find_step(steps, 2)
    assert found == steps[1]
    assert found is not steps[1]
    found["status"] = "erledigt"
    replaced = replace_step(steps, found)
    assert replaced == [stored(1, TODAY), {**stored(2, TODAY), "status": "erledigt"}]
    assert steps == [stored(1, TODAY), stored(2, TODAY)]
    with pytest.raises(ValueError, match=r"^Im Kooperationsplan gibt es keinen Schritt Nr\. 3\.$"):
        find_step(steps, 3)
