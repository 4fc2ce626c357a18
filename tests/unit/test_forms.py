"""Form validation against Camunda formData: types, constraints, German messages, the shipped session form."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from engine.runtime.errors import FormError
from engine.runtime.forms import validate
from engine.runtime.lint import load_files
from engine.runtime.model import FormField, UserTaskDef

ROOT = Path(__file__).resolve().parents[2]


def task(*fields: FormField) -> UserTaskDef:
    return UserTaskDef(id="Task_Test", name="Testaufgabe", fields=fields)


def field(
    field_id: str,
    kind: str,
    *constraints: tuple[str, str | None],
    default: str | None = None,
    options: tuple[tuple[str, str], ...] = (),
) -> FormField:
    return FormField(
        id=field_id,
        label=field_id.capitalize(),
        type=kind,
        default=default,
        options=options,
        constraints=tuple(constraints),
    )


REQUIRED: tuple[str, str | None] = ("required", None)
READONLY: tuple[str, str | None] = ("readonly", None)


def errors_of(definition: UserTaskDef, submitted: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(FormError) as info:
        validate(definition, submitted)
    details = "; ".join(f"{key}: {message}" for key, message in info.value.errors.items())
    assert str(info.value) == f"Die Eingaben sind nicht gültig: {details}"
    return info.value.errors


# --------------------------------------------------------------------------- string


def test_string_is_kept_verbatim() -> None:
    assert validate(task(field("notiz", "string")), {"notiz": " Termin am Montag "}) == {
        "notiz": " Termin am Montag "
    }


def test_string_must_be_text() -> None:
    assert errors_of(task(field("notiz", "string")), {"notiz": 42}) == {"notiz": "Bitte einen Text eingeben."}


def test_string_minlength_and_maxlength() -> None:
    definition = task(field("kennung", "string", ("minlength", "3"), ("maxlength", "5")))
    assert validate(definition, {"kennung": "abc"}) == {"kennung": "abc"}
    assert validate(definition, {"kennung": "abcde"}) == {"kennung": "abcde"}
    assert errors_of(definition, {"kennung": "ab"}) == {"kennung": "Mindestens 3 Zeichen."}
    assert errors_of(definition, {"kennung": "abcdef"}) == {"kennung": "Höchstens 5 Zeichen (eingegeben: 6)."}


def test_string_has_an_absolute_upper_limit() -> None:
    definition = task(field("notiz", "string"))
    assert validate(definition, {"notiz": "x" * 10_000}) == {"notiz": "x" * 10_000}
    assert errors_of(definition, {"notiz": "x" * 10_001}) == {"notiz": "Höchstens 10000 Zeichen."}


def test_optional_field_left_out_or_blank_is_none() -> None:
    definition = task(field("notiz", "string", ("maxlength", "10")))
    assert validate(definition, {}) == {"notiz": None}
    assert validate(definition, {"notiz": "   "}) == {"notiz": None}
    assert validate(definition, {"notiz": None}) == {"notiz": None}


# --------------------------------------------------------------------------- required


@pytest.mark.parametrize("value", [None, "", "   "])
def test_required_field_must_be_filled(value: Any) -> None:
    definition = task(field("name", "string", REQUIRED))
    assert errors_of(definition, {"name": value}) == {"name": "Pflichtfeld: bitte ausfüllen."}


def test_required_field_left_out() -> None:
    assert errors_of(task(field("name", "string", REQUIRED)), {}) == {"name": "Pflichtfeld: bitte ausfüllen."}


def test_required_field_does_not_fall_back_to_its_default() -> None:
    definition = task(field("anzahl", "long", REQUIRED, default="3"))
    assert errors_of(definition, {}) == {"anzahl": "Pflichtfeld: bitte ausfüllen."}


# --------------------------------------------------------------------------- long


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (5, 5),
        ("5", 5),
        (" 7 ", 7),
        ("-3", -3),
        ("0", 0),
        (10**17, 10**17),
        ("999999999999999999", 999_999_999_999_999_999),
        ("-999999999999999999", -999_999_999_999_999_999),
        # German thousands grouping
        ("1.000", 1000),
        ("1.500", 1500),
        ("-12.345.678", -12_345_678),
        ("999.999.999.999.999.999", 999_999_999_999_999_999),
    ],
)
def test_long_accepts_whole_numbers(raw: Any, expected: int) -> None:
    result = validate(task(field("anzahl", "long")), {"anzahl": raw})
    assert result == {"anzahl": expected}
    assert type(result["anzahl"]) is int


@pytest.mark.parametrize(
    "raw",
    [
        "1,5",
        "zwei",
        "5a",
        "-",
        "+5",
        True,
        False,
        1.5,
        [1],
        "12345678901234567890",
        "1234567890123456789",  # 19 digits
        "1.000.000.000.000.000.000",  # 19 digits, grouped
    ],
)
def test_long_refuses_what_is_not_a_whole_number(raw: Any) -> None:
    assert errors_of(task(field("anzahl", "long")), {"anzahl": raw}) == {
        "anzahl": "Bitte eine ganze Zahl eingeben."
    }


@pytest.mark.parametrize("raw", ["--5", "-5-", "²", "١٢", "５", "1_000", "5 000", "0x10"])
def test_long_refuses_odd_numbers_in_german(raw: str) -> None:
    assert errors_of(task(field("anzahl", "long")), {"anzahl": raw}) == {
        "anzahl": "Bitte eine ganze Zahl eingeben."
    }


@pytest.mark.parametrize(
    "raw", ["1.5", "3.14", "1.50", "12.34", "1.0000", "1234.567", ".500", "1.", "1..500", "1.000.00", "-.5"]
)
def test_long_does_not_turn_a_decimal_into_a_different_number(raw: str) -> None:
    assert errors_of(task(field("anzahl", "long")), {"anzahl": raw}) == {
        "anzahl": "Bitte eine ganze Zahl eingeben."
    }


def test_long_min_and_max() -> None:
    definition = task(field("anzahl", "long", ("min", "1"), ("max", "10")))
    assert validate(definition, {"anzahl": "1"}) == {"anzahl": 1}
    assert validate(definition, {"anzahl": 10}) == {"anzahl": 10}
    assert errors_of(definition, {"anzahl": 0}) == {"anzahl": "Der Wert muss mindestens 1 sein."}
    assert errors_of(definition, {"anzahl": "11"}) == {"anzahl": "Der Wert darf höchstens 10 sein."}


def test_long_default_is_converted() -> None:
    assert validate(task(field("anzahl", "long", default="3")), {}) == {"anzahl": 3}


# --------------------------------------------------------------------------- boolean


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("Ja", True),
        ("on", True),
        ("1", True),
        ("false", False),
        ("NEIN", False),
        ("off", False),
        ("0", False),
    ],
)
def test_boolean_values(raw: Any, expected: bool) -> None:
    assert validate(task(field("zugestimmt", "boolean")), {"zugestimmt": raw}) == {"zugestimmt": expected}


@pytest.mark.parametrize("raw", ["vielleicht", 1, 0, "wahr", ["ja"]])
def test_boolean_refuses_other_values(raw: Any) -> None:
    assert errors_of(task(field("zugestimmt", "boolean")), {"zugestimmt": raw}) == {
        "zugestimmt": "Bitte »ja« oder »nein« wählen."
    }


def test_unchecked_checkbox_is_false_but_a_missing_one_is_none() -> None:
    definition = task(field("zugestimmt", "boolean"))
    assert validate(definition, {"zugestimmt": ""}) == {"zugestimmt": False}
    assert validate(definition, {}) == {"zugestimmt": None}


def test_boolean_default() -> None:
    assert validate(task(field("zugestimmt", "boolean", default="true")), {}) == {"zugestimmt": True}


def test_required_boolean_false_is_a_value() -> None:
    definition = task(field("zugestimmt", "boolean", REQUIRED))
    assert validate(definition, {"zugestimmt": False}) == {"zugestimmt": False}
    assert errors_of(definition, {"zugestimmt": ""}) == {"zugestimmt": "Pflichtfeld: bitte ausfüllen."}


# --------------------------------------------------------------------------- date


@pytest.mark.parametrize("raw", [date(2025, 1, 31), "2025-01-31", "31.01.2025", "31.1.2025", " 2025-01-31 "])
def test_date_formats(raw: Any) -> None:
    result = validate(task(field("frist", "date")), {"frist": raw})
    assert result == {"frist": date(2025, 1, 31)}
    assert type(result["frist"]) is date


@pytest.mark.parametrize(
    "raw",
    [
        "31.01.25",
        "2025-02-30",
        "32.01.2025",
        "morgen",
        "2025-01-31T00:00:00",
        20250131,
        "1.2.2025.",
        "2025/01/31",
    ],
)
def test_date_refuses_other_text(raw: Any) -> None:
    assert errors_of(task(field("frist", "date")), {"frist": raw}) == {
        "frist": "Bitte ein gültiges Datum im Format TT.MM.JJJJ eingeben."
    }


def test_date_refuses_a_datetime() -> None:
    assert errors_of(task(field("frist", "date")), {"frist": datetime(2025, 1, 31, 10)}) == {
        "frist": "Bitte ein Datum ohne Uhrzeit angeben."
    }


def test_date_min_and_max_in_german_format() -> None:
    definition = task(field("frist", "date", ("min", "2025-01-01"), ("max", "2025-12-31")))
    assert validate(definition, {"frist": "01.01.2025"}) == {"frist": date(2025, 1, 1)}
    assert validate(definition, {"frist": "2025-12-31"}) == {"frist": date(2025, 12, 31)}
    assert errors_of(definition, {"frist": "31.12.2024"}) == {
        "frist": "Das Datum darf nicht vor dem 01.01.2025 liegen."
    }
    assert errors_of(definition, {"frist": "2026-01-01"}) == {
        "frist": "Das Datum darf nicht nach dem 31.12.2025 liegen."
    }


# --------------------------------------------------------------------------- enum

CHANNELS = (("praesenz", "In Präsenz"), ("telefon", "Telefonisch"))


def test_enum_accepts_an_option_id() -> None:
    assert validate(task(field("kanal", "enum", options=CHANNELS)), {"kanal": "telefon"}) == {
        "kanal": "telefon"
    }


@pytest.mark.parametrize("raw", ["video", "Telefonisch", "TELEFON", 1, ["telefon"]])
def test_enum_refuses_anything_else_and_lists_the_labels(raw: Any) -> None:
    assert errors_of(task(field("kanal", "enum", options=CHANNELS)), {"kanal": raw}) == {
        "kanal": "Ungültige Auswahl; erlaubt sind »In Präsenz«, »Telefonisch«."
    }


def test_enum_default_applies_only_when_left_out() -> None:
    definition = task(field("kanal", "enum", default="praesenz", options=CHANNELS))
    assert validate(definition, {}) == {"kanal": "praesenz"}
    assert validate(definition, {"kanal": ""}) == {"kanal": None}


# --------------------------------------------------------------------------- unknown types and fields


def test_unknown_field_type_is_refused() -> None:
    assert errors_of(task(field("betrag", "decimal")), {"betrag": "12,50"}) == {
        "betrag": "Der Feldtyp »decimal« wird nicht unterstützt."
    }


@pytest.mark.parametrize("name", ["planVereinbart", "__class__", "x"])
def test_unknown_fields_are_refused(name: str) -> None:
    definition = task(field("notiz", "string"))
    assert errors_of(definition, {"notiz": "ok", name: True}) == {
        name: "Dieses Feld gibt es im Formular nicht."
    }


# --------------------------------------------------------------------------- readonly


def test_readonly_field_may_not_be_submitted() -> None:
    definition = task(field("kundennummer", "string", READONLY, default="K-1"))
    assert errors_of(definition, {"kundennummer": "K-2"}) == {
        "kundennummer": "Dieses Feld ist schreibgeschützt."
    }
    assert errors_of(definition, {"kundennummer": ""}) == {
        "kundennummer": "Dieses Feld ist schreibgeschützt."
    }


def test_readonly_field_left_out_is_not_in_the_result_even_with_a_default() -> None:
    # The task data the field displays stays as it is; its default does not overwrite it.
    assert validate(task(field("kundennummer", "string", READONLY, default="K-1")), {}) == {}


def test_readonly_field_without_default_does_not_overwrite_task_data() -> None:
    assert validate(task(field("kundennummer", "string", READONLY)), {}) == {}


def test_readonly_fields_are_left_out_beside_the_others() -> None:
    definition = task(
        field("kundennummer", "string", READONLY, default="K-1"),
        field("anzahl", "long", READONLY),
        field("notiz", "string"),
        field("kanal", "enum", default="praesenz", options=CHANNELS),
    )
    # Optional fields that are not read-only still become None or their default when left out.
    assert validate(definition, {}) == {"notiz": None, "kanal": "praesenz"}
    assert validate(definition, {"notiz": "passt", "kanal": "telefon"}) == {"notiz": "passt", "kanal": "telefon"}


# --------------------------------------------------------------------------- several errors at once


def test_every_problem_is_reported_at_once() -> None:
    definition = task(
        field("name", "string", REQUIRED, ("maxlength", "3")),
        field("anzahl", "long", ("max", "5")),
        field("zugestimmt", "boolean", REQUIRED),
        field("frist", "date"),
        field("kanal", "enum", options=CHANNELS),
        field("kundennummer", "string", READONLY),
        field("notiz", "string"),
    )
    errors = errors_of(
        definition,
        {
            "name": "Anna",
            "anzahl": "6",
            "frist": "30.02.2025",
            "kanal": "fax",
            "kundennummer": "K-9",
            "notiz": "passt",
            "geheim": "x",
        },
    )
    assert errors == {
        "geheim": "Dieses Feld gibt es im Formular nicht.",
        "name": "Höchstens 3 Zeichen (eingegeben: 4).",
        "anzahl": "Der Wert darf höchstens 5 sein.",
        "zugestimmt": "Pflichtfeld: bitte ausfüllen.",
        "frist": "Bitte ein gültiges Datum im Format TT.MM.JJJJ eingeben.",
        "kanal": "Ungültige Auswahl; erlaubt sind »In Präsenz«, »Telefonisch«.",
        "kundennummer": "Dieses Feld ist schreibgeschützt.",
    }


# --------------------------------------------------------------------------- the shipped session form


@pytest.fixture(scope="module")
def session_task() -> UserTaskDef:
    documents, findings = load_files([ROOT / "tests" / "fixtures" / "engine"])
    assert findings == []
    document = documents[str(ROOT / "tests" / "fixtures" / "engine" / "beratungszyklus.bpmn")]
    return document.processes["Beratungszyklus"].user_tasks["Task_Beratungsgespraech"]


def good_session() -> dict[str, Any]:
    return {
        "gespraechsart": "praesenz",
        "planVereinbart": True,
        "planLaufzeit": "P3M",
        "schrittBeschreibung": "Drei Bewerbungen schreiben",
        "schrittFaellig": "14.02.2025",
        "naechsterKontakt": "folgetermin",
        "naechsterKontaktAm": "2025-02-17",
        "notiz": "Kundin motiviert.",
    }


def test_shipped_session_form_is_read_from_the_diagram(session_task: UserTaskDef) -> None:
    assert session_task.name == "Beratungsgespräch führen"
    assert [(f.id, f.type, f.required) for f in session_task.fields] == [
        ("gespraechsart", "enum", True),
        ("planVereinbart", "boolean", True),
        ("planLaufzeit", "enum", False),
        ("schrittBeschreibung", "string", False),
        ("schrittFaellig", "date", False),
        ("naechsterKontakt", "enum", True),
        ("naechsterKontaktAm", "date", True),
        ("notiz", "string", False),
    ]


def test_shipped_session_form_accepts_a_good_submission(session_task: UserTaskDef) -> None:
    assert validate(session_task, good_session()) == {
        "gespraechsart": "praesenz",
        "planVereinbart": True,
        "planLaufzeit": "P3M",
        "schrittBeschreibung": "Drei Bewerbungen schreiben",
        "schrittFaellig": date(2025, 2, 14),
        "naechsterKontakt": "folgetermin",
        "naechsterKontaktAm": date(2025, 2, 17),
        "notiz": "Kundin motiviert.",
    }


def test_shipped_session_form_fills_the_default_plan_duration(session_task: UserTaskDef) -> None:
    submitted = {key: value for key, value in good_session().items() if key != "planLaufzeit"}
    assert validate(session_task, submitted)["planLaufzeit"] == "P6M"


@pytest.mark.parametrize(
    "missing", ["gespraechsart", "planVereinbart", "naechsterKontakt", "naechsterKontaktAm"]
)
def test_shipped_session_form_refuses_a_missing_required_field(
    session_task: UserTaskDef, missing: str
) -> None:
    submitted = {key: value for key, value in good_session().items() if key != missing}
    assert errors_of(session_task, submitted) == {missing: "Pflichtfeld: bitte ausfüllen."}


def test_shipped_session_form_checks_choices_length_and_unknown_fields(session_task: UserTaskDef) -> None:
    submitted = good_session() | {
        "gespraechsart": "video",
        "schrittBeschreibung": "x" * 501,
        "sanktion": True,
    }
    assert errors_of(session_task, submitted) == {
        "sanktion": "Dieses Feld gibt es im Formular nicht.",
        "gespraechsart": "Ungültige Auswahl; erlaubt sind »In Präsenz«, »Telefonisch«.",
        "schrittBeschreibung": "Höchstens 500 Zeichen (eingegeben: 501).",
    }
