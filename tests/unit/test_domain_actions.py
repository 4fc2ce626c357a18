"""The domain actions (external-task topics) and fristende: exact changed fields for given data and clock."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from engine.domain import plan, rfb
from engine.domain.actions import (
    ACTIONS,
    FUNCTIONS,
    close_demand,
    continue_step,
    deadline_end,
    end_conciliation,
    lift_reduction,
    mode_duty_to_report,
    record_breach,
    record_date,
    record_deadline_date,
    record_demand,
    record_exclusion,
    record_missed_appointment,
    record_missed_date,
    record_plan,
    record_reachable,
    record_reduction,
    set_step_status,
    start_conciliation,
    update_case,
)
from engine.runtime.clock import SimulatedClock

TODAY = date(2025, 3, 10)  # a Monday


def clock_at(year: int = 2025, month: int = 3, day: int = 10, hour: int = 9, minute: int = 0) -> SimulatedClock:
    return SimulatedClock(datetime(year, month, day, hour, minute, tzinfo=UTC))


@pytest.fixture
def clock() -> SimulatedClock:
    return clock_at()


# --------------------------------------------------------------------------- fristende (deadline_end)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 3, 10), date(2025, 3, 10)),  # Monday
        (date(2025, 3, 12), date(2025, 3, 12)),  # Wednesday
        (date(2025, 3, 14), date(2025, 3, 14)),  # Friday
        (date(2025, 3, 15), date(2025, 3, 17)),  # Saturday -> Monday
        (date(2025, 3, 16), date(2025, 3, 17)),  # Sunday -> Monday
    ],
)
def test_deadline_end_weekdays_stay_and_weekends_move_to_monday(day: date, expected: date) -> None:
    assert deadline_end(day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 10, 3), date(2025, 10, 6)),  # Tag der Deutschen Einheit (Friday) -> Monday
        (date(2025, 10, 31), date(2025, 11, 3)),  # Reformationstag, a holiday in Niedersachsen (Friday)
        (date(2025, 4, 18), date(2025, 4, 22)),  # Karfreitag -> over Easter weekend and Ostermontag -> Tuesday
        (date(2025, 4, 19), date(2025, 4, 22)),  # Easter Saturday
        (date(2025, 4, 21), date(2025, 4, 22)),  # Ostermontag
        (date(2025, 5, 1), date(2025, 5, 2)),  # Tag der Arbeit (Thursday)
        (date(2025, 5, 29), date(2025, 5, 30)),  # Christi Himmelfahrt (Thursday)
        (date(2025, 6, 9), date(2025, 6, 10)),  # Pfingstmontag
        (date(2025, 12, 25), date(2025, 12, 29)),  # 1. + 2. Weihnachtstag, weekend -> Monday
        (date(2025, 12, 27), date(2025, 12, 29)),  # Saturday after Christmas
        (date(2026, 1, 1), date(2026, 1, 2)),  # Neujahr (Thursday)
    ],
)
def test_deadline_end_skips_public_holidays_of_lower_saxony(day: date, expected: date) -> None:
    assert deadline_end(day) == expected


def test_deadline_end_crosses_the_year_boundary() -> None:
    # Saturday 2023-12-30 -> Sunday 31 Dec -> Monday 1 Jan 2024 (Neujahr) -> Tuesday 2 Jan: the holidays of
    # the new year are looked up once the loop crosses into it.
    assert deadline_end(date(2023, 12, 30)) == date(2024, 1, 2)
    assert deadline_end(date(2026, 12, 26)) == date(2026, 12, 28)  # 2. Weihnachtstag on a Saturday


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 6, 19),  # Fronleichnam (Thursday): a holiday in Bavaria, NRW, ... not in Niedersachsen
        date(2025, 1, 6),  # Heilige Drei Könige (Monday): Bavaria, Baden-Württemberg, Saxony-Anhalt
        date(2025, 11, 19),  # Buß- und Bettag (Wednesday): Saxony only
        date(2025, 12, 24),  # Heiligabend (Wednesday): no public holiday
        date(2025, 12, 31),  # Silvester (Wednesday): no public holiday
    ],
)
def test_deadline_end_keeps_days_that_are_no_holiday_in_lower_saxony(day: date) -> None:
    assert deadline_end(day) == day


def test_fristende_is_the_expression_function() -> None:
    assert FUNCTIONS["fristende"] is deadline_end
    assert FUNCTIONS["naechsterPruefzeitpunkt"] is plan.next_check
    assert FUNCTIONS["offeneSchritte"] is plan.open_count


def test_actions_map_topics_to_functions() -> None:
    assert dict(ACTIONS) == {
        "fallFortschreiben": update_case,
        "planFesthalten": record_plan,
        "stichtagHeute": record_date,
        "schrittStatusSetzen": set_step_status,
        "schrittFortschreiben": continue_step,
        "meldeversaeumnisErfassen": record_missed_appointment,
        "verstossFeststellen": record_breach,
        "minderungErfassen": record_reduction,
        "minderungAufheben": lift_reduction,
        "stichtagFrist": record_deadline_date,
        "stichtagTermin": record_missed_date,
        "nichterreichbarkeitFesthalten": record_exclusion,
        "erreichbarkeitFesthalten": record_reachable,
        "modusMeldepflicht": mode_duty_to_report,
        "aufforderungErfassen": record_demand,
        "aufforderungErledigt": close_demand,
        "schlichtungBeginnen": start_conciliation,
        "schlichtungBeenden": end_conciliation,
    }


# --------------------------------------------------------------------------- today (Berlin)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2025, 12, 31, 23, 30, tzinfo=UTC), date(2026, 1, 1)),  # 00:30 CET
        (datetime(2025, 12, 31, 22, 59, tzinfo=UTC), date(2025, 12, 31)),  # 23:59 CET
        (datetime(2025, 6, 30, 22, 30, tzinfo=UTC), date(2025, 7, 1)),  # 00:30 CEST
        (datetime(2025, 6, 30, 21, 30, tzinfo=UTC), date(2025, 6, 30)),  # 23:30 CEST
    ],
)
def test_today_is_the_berlin_calendar_day(moment: datetime, expected: date) -> None:
    assert SimulatedClock(moment).today() == expected


# --------------------------------------------------------------------------- fallFortschreiben (update_case)


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        ("plan_vereinbart", {"anfangsphase": False, "modus": "selbstbestimmt", "modusGrund": None}),
        ("ausnahme_rueckmeldung", {"anfangsphase": False}),
        ("kein_plan", {"modus": "fremdbestimmt", "modusGrund": "kein_plan"}),
        ("beratungsunfaehig", {"modus": "fremdbestimmt", "modusGrund": "beratungsunfaehig"}),
        ("beratungsunwillig", {"modus": "fremdbestimmt", "modusGrund": "beratungsunwillig"}),
        ("sonstiges", {}),
        (None, {}),
    ],
)
def test_update_case_mode_and_start_phase_follow_the_outcome(
    outcome: str | None, expected: dict[str, Any], clock: SimulatedClock
) -> None:
    data = {"ergebnis": outcome, "modus": "fremdbestimmt", "modusGrund": "kein_plan", "anfangsphase": True,
            "kooperationsbereit": True}
    assert update_case(data, clock) == {"letztesGespraechAm": TODAY, **expected}


def test_a_plan_with_a_client_not_cooperative_is_not_self_determined(clock: SimulatedClock) -> None:
    changes = update_case({"ergebnis": "plan_vereinbart", "kooperationsbereit": False}, clock)
    assert (changes["modus"], changes["modusGrund"], changes["anfangsphase"]) == (
        "fremdbestimmt", "nicht_kooperationsbereit", False)


@pytest.mark.parametrize(("cooperative", "expected"), [
    (True, {"anfangsphase": False, "modus": "selbstbestimmt", "modusGrund": None}),
    (False, {"anfangsphase": False, "modus": "fremdbestimmt", "modusGrund": "nicht_kooperationsbereit"}),
    (None, {"anfangsphase": False}),
])
def test_record_plan_ends_the_start_phase_on_any_path(cooperative: bool | None, expected: dict[str, Any],
                                                      clock: SimulatedClock) -> None:
    data = {"modus": "fremdbestimmt", "modusGrund": "beratungsunwillig", "anfangsphase": True}
    if cooperative is not None:
        data["kooperationsbereit"] = cooperative
    assert record_plan(data, clock) == expected


def test_a_step_not_implemented_makes_the_action_externally_determined_until_one_is(clock: SimulatedClock) -> None:
    data: dict[str, Any] = {"schritte": make_steps(), "schrittNr": 1, "schrittErledigt": False,
                            "modus": "selbstbestimmt", "modusGrund": None, "kooperationsbereit": True}
    changes = set_step_status(data, clock)
    assert (changes["modus"], changes["modusGrund"]) == ("fremdbestimmt", "schritt_nicht_umgesetzt")
    data.update(changes, schrittNr=2, schrittErledigt=True)
    changes = set_step_status(data, clock)
    assert (changes["modus"], changes["modusGrund"]) == ("selbstbestimmt", None)
    # another reason for external determination is not lifted by a step done
    data.update(changes, schrittNr=1, schrittErledigt=True, modus="fremdbestimmt", modusGrund="meldepflicht")
    assert "modus" not in set_step_status(data, clock)


def test_update_case_is_reversible_from_selbstbestimmt(clock: SimulatedClock) -> None:
    changes = update_case({"ergebnis": "beratungsunwillig", "modus": "selbstbestimmt", "modusGrund": None}, clock)
    assert changes["modus"] == "fremdbestimmt"
    assert changes["modusGrund"] == "beratungsunwillig"
    assert "anfangsphase" not in changes  # the start phase does not end without a plan


def test_update_case_without_outcome_key_only_records_the_session(clock: SimulatedClock) -> None:
    assert update_case({}, clock) == {"letztesGespraechAm": TODAY}


def test_update_case_uses_the_berlin_date_at_new_year() -> None:
    clock = SimulatedClock(datetime(2025, 12, 31, 23, 30, tzinfo=UTC))
    assert update_case({"ergebnis": "plan_vereinbart"}, clock)["letztesGespraechAm"] == date(2026, 1, 1)


def test_record_date_is_today_in_berlin() -> None:
    assert record_date({}, clock_at()) == {"stichtag": TODAY}
    assert record_date({}, SimulatedClock(datetime(2025, 12, 31, 23, 30, tzinfo=UTC))) == {
        "stichtag": date(2026, 1, 1)
    }


# --------------------------------------------------------------------------- plan steps


def make_steps() -> list[dict[str, Any]]:
    return [
        {"nr": 1, "beschreibung": "Fünf Bewerbungen schreiben", "verantwortlich": "elb",
         "faellig": date(2025, 3, 7), "wiedervorlage": None, "status": "offen"},
        {"nr": 2, "beschreibung": "Sprachkurs vermitteln", "verantwortlich": "jobcenter",
         "faellig": date(2025, 4, 1), "wiedervorlage": date(2025, 3, 20), "status": "offen"},
        {"nr": 3, "beschreibung": "Lebenslauf überarbeiten", "verantwortlich": "gemeinsam",
         "faellig": date(2025, 2, 1), "wiedervorlage": None, "status": "erledigt", "erledigtAm": date(2025, 1, 30)},
    ]


def test_set_step_status_done_closes_the_step(clock: SimulatedClock) -> None:
    steps = make_steps()
    snapshot = copy.deepcopy(steps)
    changes = set_step_status({"schritte": steps, "schrittNr": 1, "schrittErledigt": True}, clock)
    expected = copy.deepcopy(snapshot)
    expected[0].update(status="erledigt", erledigtAm=TODAY)
    assert changes == {"schritte": expected}
    assert steps == snapshot  # the input list and its dicts are not mutated


def test_set_step_status_not_done_keeps_the_step_open(clock: SimulatedClock) -> None:
    steps = make_steps()
    changes = set_step_status({"schritte": steps, "schrittNr": 2, "schrittErledigt": False}, clock)
    assert changes == {"schritte": make_steps()}
    assert changes["schritte"] is not steps
    assert all(new is not old for new, old in zip(changes["schritte"], steps, strict=True))


@pytest.mark.parametrize("steps", [make_steps(), [], None])
def test_set_step_status_unknown_number(steps: list[dict[str, Any]] | None, clock: SimulatedClock) -> None:
    with pytest.raises(ValueError, match=r"^Im Kooperationsplan gibt es keinen Schritt Nr\. 9\.$"):
        set_step_status({"schritte": steps, "schrittNr": 9, "schrittErledigt": True}, clock)


def test_set_step_status_refuses_a_closed_step(clock: SimulatedClock) -> None:
    with pytest.raises(ValueError) as info:
        set_step_status({"schritte": make_steps(), "schrittNr": 3, "schrittErledigt": True}, clock)
    assert str(info.value) == "Schritt Nr. 3 ist nicht mehr offen (Status: erledigt)."


def test_set_step_status_refuses_a_demanded_step(clock: SimulatedClock) -> None:
    steps = make_steps()
    steps[0]["status"] = "aufgefordert"
    with pytest.raises(ValueError) as info:
        set_step_status({"schritte": steps, "schrittNr": 1, "schrittErledigt": False}, clock)
    assert str(info.value) == "Schritt Nr. 1 ist nicht mehr offen (Status: aufgefordert)."


def test_continue_step_another_try_gets_the_new_deadline(clock: SimulatedClock) -> None:
    steps = make_steps()
    snapshot = copy.deepcopy(steps)
    data = {"schritte": steps, "schrittNr": 2, "schrittEntscheidung": "weiterer_versuch",
            "neueFrist": date(2025, 4, 15), "schrittBeschreibung": "wird ignoriert"}
    changes = continue_step(data, clock)
    expected = copy.deepcopy(snapshot)
    expected[1].update(faellig=date(2025, 4, 15), wiedervorlage=None)  # description unchanged
    assert changes == {"schritte": expected}
    assert steps == snapshot


def test_continue_step_accepts_today_as_new_deadline(clock: SimulatedClock) -> None:
    changes = continue_step({"schritte": make_steps(), "schrittNr": 1, "schrittEntscheidung": "weiterer_versuch",
                             "neueFrist": TODAY}, clock)
    assert changes["schritte"][0]["faellig"] == TODAY
    assert changes["schritte"][0]["status"] == "offen"


@pytest.mark.parametrize("deadline", [TODAY - timedelta(days=1), None, "2025-04-15"])
@pytest.mark.parametrize("decision", ["weiterer_versuch", "anpassen"])
def test_continue_step_needs_a_new_deadline_from_today_on(
    deadline: Any, decision: str, clock: SimulatedClock
) -> None:
    data = {"schritte": make_steps(), "schrittNr": 1, "schrittEntscheidung": decision, "neueFrist": deadline}
    with pytest.raises(ValueError) as info:
        continue_step(data, clock)
    assert str(info.value) == ("Für einen weiteren Versuch oder einen angepassten Schritt bitte eine neue Frist "
                               "ab heute angeben.")


def test_continue_step_adjust_changes_the_description(clock: SimulatedClock) -> None:
    data = {"schritte": make_steps(), "schrittNr": 1, "schrittEntscheidung": "anpassen",
            "neueFrist": date(2025, 3, 31), "schrittBeschreibung": "Drei Bewerbungen schreiben"}
    changes = continue_step(data, clock)
    expected = make_steps()
    expected[0].update(faellig=date(2025, 3, 31), beschreibung="Drei Bewerbungen schreiben")
    assert changes == {"schritte": expected}


@pytest.mark.parametrize("description", [None, ""])
def test_continue_step_adjust_without_description_keeps_it(description: str | None, clock: SimulatedClock) -> None:
    data = {"schritte": make_steps(), "schrittNr": 1, "schrittEntscheidung": "anpassen",
            "neueFrist": date(2025, 3, 31), "schrittBeschreibung": description}
    assert continue_step(data, clock)["schritte"][0]["beschreibung"] == "Fünf Bewerbungen schreiben"


def test_continue_step_demand_marks_the_step_without_deadline(clock: SimulatedClock) -> None:
    steps = make_steps()
    snapshot = copy.deepcopy(steps)
    changes = continue_step({"schritte": steps, "schrittNr": 1, "schrittEntscheidung": "aufforderung"}, clock)
    expected = copy.deepcopy(snapshot)
    expected[0]["status"] = "aufgefordert"  # due date and Wiedervorlage unchanged
    assert changes == {"schritte": expected}
    assert steps == snapshot
    assert plan.open_count(changes["schritte"]) == 1


def test_continue_step_unknown_number(clock: SimulatedClock) -> None:
    with pytest.raises(ValueError, match=r"^Im Kooperationsplan gibt es keinen Schritt Nr\. 7\.$"):
        continue_step({"schritte": make_steps(), "schrittNr": 7, "schrittEntscheidung": "aufforderung"}, clock)


# --------------------------------------------------------------------------- meldeversaeumnisErfassen

MISSED = date(2025, 3, 3)


def missed_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"terminAm": MISSED, "einladungMitRfb": True, "wichtigerGrund": False, "haerte": False,
                            "meldeversaeumnisse": [date(2025, 1, 20), date(2024, 11, 4)],
                            "letztesGespraechAm": date(2024, 12, 2), "anfangsphase": False, "minderungen": []}
    data.update(overrides)
    return data


def test_record_missed_appointment_full_result(clock: SimulatedClock) -> None:
    data = missed_data()
    snapshot = copy.deepcopy(data)
    assert record_missed_appointment(data, clock) == {
        "meldeversaeumnisse": [date(2024, 11, 4), date(2025, 1, 20), MISSED],  # appended and sorted
        "meldeversaeumnisseNeuesRecht": [],  # not under the reform
        "meldeversaeumnisseLetzte12Monate": 3,
        "meldeversaeumnisseInFolge": 2,  # 20 Jan and 3 Mar come after the session of 2 Dec
        "verstossAm": MISSED, "stichtag": MISSED, "art": "meldeversaeumnis",
        "rfbErteilt": True, "rfbFehlt": [], "haerte": False, "wichtigerGrund": False,
        "fruehereMinderungen": 0, "schlichtungLaeuft": False, "ersteEinladungZumPlan": False,
    }
    assert data == snapshot  # the stored history list is not mutated


def test_record_missed_appointment_with_good_reason_is_not_counted(clock: SimulatedClock) -> None:
    changes = record_missed_appointment(missed_data(wichtigerGrund=True), clock)
    assert changes["meldeversaeumnisse"] == [date(2024, 11, 4), date(2025, 1, 20)]
    assert changes["meldeversaeumnisseLetzte12Monate"] == 2
    assert changes["meldeversaeumnisseInFolge"] == 1
    assert changes["wichtigerGrund"] is True


def test_record_missed_appointment_no_duplicates(clock: SimulatedClock) -> None:
    changes = record_missed_appointment(missed_data(meldeversaeumnisse=[MISSED, date(2025, 1, 20)]), clock)
    assert changes["meldeversaeumnisse"] == [date(2025, 1, 20), MISSED]
    assert changes["meldeversaeumnisseLetzte12Monate"] == 2


def test_record_missed_appointment_first_miss_without_history(clock: SimulatedClock) -> None:
    data = {"terminAm": MISSED}
    assert record_missed_appointment(data, clock) == {
        "meldeversaeumnisse": [MISSED], "meldeversaeumnisseNeuesRecht": [], "meldeversaeumnisseLetzte12Monate": 1,
        "meldeversaeumnisseInFolge": 1,
        "verstossAm": MISSED, "stichtag": MISSED, "art": "meldeversaeumnis", "rfbErteilt": False, "rfbFehlt": [],
        "haerte": False, "wichtigerGrund": False, "fruehereMinderungen": 0, "schlichtungLaeuft": False,
        "ersteEinladungZumPlan": False,
    }


def test_record_missed_appointment_twelve_month_window_is_exclusive_at_its_start(clock: SimulatedClock) -> None:
    # The code counts `since < day <= missed_on` with since = missed_on - 12 months (2024-03-03):
    # a miss exactly twelve months earlier no longer counts, one a day later does.
    history = [date(2024, 3, 2), date(2024, 3, 3), date(2024, 3, 4)]
    changes = record_missed_appointment(missed_data(meldeversaeumnisse=history, letztesGespraechAm=None), clock)
    assert changes["meldeversaeumnisse"] == [*history, MISSED]
    assert changes["meldeversaeumnisseLetzte12Monate"] == 2  # 2024-03-04 and 2025-03-03
    assert changes["meldeversaeumnisseInFolge"] == 4  # no session ever: every miss is in a row


def test_record_missed_appointment_window_ignores_later_misses(clock: SimulatedClock) -> None:
    # recording a miss late (after a later one was already recorded): the later one is outside the window
    changes = record_missed_appointment(missed_data(meldeversaeumnisse=[date(2025, 3, 5)]), clock)
    assert changes["meldeversaeumnisse"] == [MISSED, date(2025, 3, 5)]
    assert changes["meldeversaeumnisseLetzte12Monate"] == 1


def test_record_missed_appointment_leap_day_window(clock: SimulatedClock) -> None:
    # 2025-02-28 minus 12 months is 2024-02-28: the leap day 2024-02-29 lies inside the window.
    history = [date(2024, 2, 28), date(2024, 2, 29)]
    changes = record_missed_appointment(missed_data(terminAm=date(2025, 2, 28), meldeversaeumnisse=history), clock)
    assert changes["meldeversaeumnisseLetzte12Monate"] == 2


def test_record_missed_appointment_in_a_row_counts_misses_after_the_last_session(clock: SimulatedClock) -> None:
    history = [date(2025, 1, 10), date(2025, 2, 3), date(2025, 2, 17)]
    changes = record_missed_appointment(missed_data(meldeversaeumnisse=history, letztesGespraechAm=date(2025, 2, 3)),
                                        clock)
    assert changes["meldeversaeumnisseInFolge"] == 2  # 17 Feb and 3 Mar; a miss on the session day is not after it
    assert changes["meldeversaeumnisseLetzte12Monate"] == 4


def test_record_missed_appointment_in_a_row_after_a_session_today(clock: SimulatedClock) -> None:
    changes = record_missed_appointment(missed_data(letztesGespraechAm=MISSED), clock)
    assert changes["meldeversaeumnisseInFolge"] == 0


@pytest.mark.parametrize("start_phase", [True, False, None])
def test_record_missed_appointment_first_invitation_is_not_exempt_par_32(
    start_phase: bool | None, clock: SimulatedClock
) -> None:
    # § 32 SGB II knows no exemption for the first invitation to the plan (legal review, issue 11)
    changes = record_missed_appointment(missed_data(anfangsphase=start_phase), clock)
    assert changes["ersteEinladungZumPlan"] is False


def test_record_missed_appointment_passes_flags_as_booleans(clock: SimulatedClock) -> None:
    changes = record_missed_appointment(missed_data(einladungMitRfb=None, haerte="ja", schlichtungLaeuft=1), clock)
    assert changes["rfbErteilt"] is False
    assert changes["haerte"] is True
    assert changes["schlichtungLaeuft"] is True


def reduction_beginning(day: date, percent: int = 10, art: str = "pflichtverletzung",
                        decided: date | None = None) -> dict[str, Any]:
    return {"art": art, "bescheidAm": decided or day - timedelta(days=20), "beginn": day,
            "ende": day + timedelta(days=27), "prozent": percent}


def test_repetition_window_par_31a_abs_1_satz_4_and_5(clock: SimulatedClock) -> None:
    # repeated only if established before the breach and its period began at most one year before it
    # (since = 2024-03-03, inclusive); a reduction decided before the breach that starts after it counts.
    assert record_missed_appointment(missed_data(minderungen=[reduction_beginning(date(2024, 3, 2))]),
                                     clock)["fruehereMinderungen"] == 0
    assert record_missed_appointment(missed_data(minderungen=[reduction_beginning(date(2024, 3, 3))]),
                                     clock)["fruehereMinderungen"] == 1
    decided_before_starts_after = reduction_beginning(date(2025, 4, 1), decided=date(2025, 2, 20))
    assert record_missed_appointment(missed_data(minderungen=[decided_before_starts_after]),
                                     clock)["fruehereMinderungen"] == 1
    decided_after = reduction_beginning(date(2025, 4, 1), decided=date(2025, 3, 20))
    assert record_missed_appointment(missed_data(minderungen=[decided_after]), clock)["fruehereMinderungen"] == 0


@pytest.mark.parametrize("missed_on", [None, "2025-03-03"])
def test_record_missed_appointment_needs_a_date(missed_on: Any, clock: SimulatedClock) -> None:
    with pytest.raises(ValueError) as info:
        record_missed_appointment(missed_data(terminAm=missed_on), clock)
    assert str(info.value) == "Das Datum des versäumten Termins fehlt."


# --------------------------------------------------------------------------- verstossFeststellen


def test_record_breach_fields_for_the_decision_table(clock: SimulatedClock) -> None:
    deadline = date(2025, 2, 28)
    data = {"aufforderungFrist": deadline, "wichtigerGrund": False, "haerte": True, "schlichtungLaeuft": None,
            "minderungen": [reduction_beginning(date(2024, 2, 28), 20), reduction_beginning(date(2024, 2, 27)),
                            reduction_beginning(date(2024, 10, 1), 10, decided=date(2024, 1, 5))]}
    assert record_breach(data, clock) == {
        "verstossAm": deadline, "stichtag": deadline, "art": "pflichtverletzung",
        "rfbErteilt": False, "rfbFehlt": list(rfb.ELEMENTS),  # no demand with a recorded RFB
        # the stage follows the latest established reduction in the window (the 20 % one, decided last)
        "haerte": True, "wichtigerGrund": False, "fruehereMinderungen": 2, "schlichtungLaeuft": False,
        "ersteEinladungZumPlan": False, "meldeversaeumnisseInFolge": 0,
    }


def test_record_breach_minimal_data(clock: SimulatedClock) -> None:
    changes = record_breach({"aufforderungFrist": date(2025, 3, 3), "wichtigerGrund": True}, clock)
    assert changes["wichtigerGrund"] is True
    assert changes["haerte"] is False
    assert changes["fruehereMinderungen"] == 0


@pytest.mark.parametrize("deadline", [None, "2025-03-03"])
def test_record_breach_needs_the_deadline(deadline: Any, clock: SimulatedClock) -> None:
    with pytest.raises(ValueError) as info:
        record_breach({"aufforderungFrist": deadline}, clock)
    assert str(info.value) == "Die Frist der Aufforderung fehlt."


# --------------------------------------------------------------------------- minderungErfassen


def reduction_data(percent: int = 10, months: int = 1, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "art": "meldeversaeumnis", "verstossAm": date(2025, 3, 3), "bescheidAm": date(2025, 3, 15),
        "minderung": {"prozent": percent, "monate": months, "folge": "minderung", "begruendung": "§ 32 SGB II"},
        "minderungen": [],
    }
    data.update(overrides)
    return data


def existing(start: date, end: date, percent: int) -> dict[str, Any]:
    return {"art": "pflichtverletzung", "beginn": start, "ende": end, "prozent": percent}


def test_record_reduction_full_result(clock: SimulatedClock) -> None:
    earlier = existing(date(2024, 5, 1), date(2024, 5, 31), 10)
    data = reduction_data(minderungen=[earlier])
    snapshot = copy.deepcopy(data)
    reduction = {"art": "meldeversaeumnis", "verstossAm": date(2025, 3, 3), "bescheidAm": date(2025, 3, 15),
                 "zugangAm": date(2025, 3, 19), "beginn": date(2025, 4, 1), "ende": date(2025, 4, 30), "monate": 1,
                 "prozentLautTabelle": 10, "prozent": 10, "betrag": "56.30", "begruendung": "§ 32 SGB II"}
    assert record_reduction(data, clock) == {"minderungen": [earlier, reduction], "letzteMinderung": reduction}
    assert data == snapshot  # the stored list is not mutated


@pytest.mark.parametrize(
    ("decided_on", "months", "start", "end"),
    [
        (date(2025, 3, 15), 1, date(2025, 4, 1), date(2025, 4, 30)),
        (date(2025, 3, 1), 2, date(2025, 4, 1), date(2025, 5, 31)),
        # posted 31.03.2025: delivered 04.04.2025 (§ 37 Abs. 2 SGB X), so the period starts in May
        (date(2025, 3, 31), 3, date(2025, 5, 1), date(2025, 7, 31)),
        (date(2025, 12, 10), 2, date(2026, 1, 1), date(2026, 2, 28)),
        (date(2027, 12, 31), 3, date(2028, 2, 1), date(2028, 4, 30)),
        (date(2028, 1, 5), 1, date(2028, 2, 1), date(2028, 2, 29)),  # leap year
    ],
)
def test_record_reduction_period_starts_the_month_after_deemed_delivery_par_31b(
    decided_on: date, months: int, start: date, end: date, clock: SimulatedClock
) -> None:
    changes = record_reduction(reduction_data(months=months, bescheidAm=decided_on, verstossAm=decided_on), clock)
    assert (changes["letzteMinderung"]["beginn"], changes["letzteMinderung"]["ende"]) == (start, end)
    assert changes["letzteMinderung"]["monate"] == months


@pytest.mark.parametrize(
    ("breach", "decided_on"),
    [
        (date(2025, 3, 3), date(2025, 9, 3)),  # exactly six months: still allowed
        (date(2025, 8, 31), date(2026, 2, 28)),  # 31 Aug + 6 months = 28 Feb
        (date(2025, 3, 3), date(2025, 3, 3)),
    ],
)
def test_record_reduction_within_six_months(breach: date, decided_on: date, clock: SimulatedClock) -> None:
    changes = record_reduction(reduction_data(verstossAm=breach, bescheidAm=decided_on), clock)
    assert changes["letzteMinderung"]["bescheidAm"] == decided_on


@pytest.mark.parametrize(
    ("breach", "decided_on"),
    [(date(2025, 3, 3), date(2025, 9, 4)), (date(2025, 8, 31), date(2026, 3, 1)), (date(2024, 1, 10), TODAY)],
)
def test_record_reduction_later_than_six_months_is_refused(
    breach: date, decided_on: date, clock: SimulatedClock
) -> None:
    with pytest.raises(ValueError) as info:
        record_reduction(reduction_data(verstossAm=breach, bescheidAm=decided_on), clock)
    assert str(info.value) == ("Eine Minderung kann nur innerhalb von sechs Monaten nach der Pflichtverletzung "
                               "festgestellt werden (§ 31b Abs. 2 SGB II).")


@pytest.mark.parametrize(("field", "value"), [("bescheidAm", None), ("verstossAm", None), ("bescheidAm", "2025-03-15")])
def test_record_reduction_needs_both_dates(field: str, value: Any, clock: SimulatedClock) -> None:
    with pytest.raises(ValueError) as info:
        record_reduction(reduction_data(**{field: value}), clock)
    assert str(info.value) == "Bescheiddatum oder Datum der Pflichtverletzung fehlt."


# the new reduction: 2025-04-01 .. 2025-05-31 (decided 2025-03-15, two months)
@pytest.mark.parametrize(
    ("earlier", "percent", "expected"),
    [
        ([existing(date(2025, 4, 1), date(2025, 5, 31), 20)], 20, 10),  # overlapping 20 % + 20 % -> 10 %
        ([existing(date(2025, 3, 1), date(2025, 3, 31), 20)], 20, 20),  # ended the day before
        ([existing(date(2025, 6, 1), date(2025, 6, 30), 20)], 20, 20),  # starts the day after
        ([existing(date(2025, 3, 1), date(2025, 4, 1), 20)], 20, 10),  # overlaps on one day
        ([existing(date(2025, 5, 31), date(2025, 6, 30), 20)], 20, 10),  # overlaps on one day
        ([existing(date(2025, 2, 1), date(2025, 4, 30), 30)], 20, 0),  # already at the cap
        ([existing(date(2025, 4, 1), date(2025, 4, 30), 10),
          existing(date(2025, 4, 1), date(2025, 6, 30), 10)], 30, 10),  # 10 + 10 overlapping -> 10 left
        ([existing(date(2025, 4, 1), date(2025, 4, 30), 10)], 10, 10),  # 10 + 10 under the cap
        ([existing(date(2025, 4, 1), date(2025, 5, 31), 100)], 10, 10),  # 100 % (§ 31a Abs. 7) not in the sum
        ([existing(date(2025, 4, 1), date(2025, 5, 31), 0)], 30, 30),
        ([], 30, 30),
    ],
)
def test_record_reduction_caps_overlapping_reductions_at_30_percent(
    earlier: list[dict[str, Any]], percent: int, expected: int, clock: SimulatedClock
) -> None:
    reduction = record_reduction(reduction_data(percent, 2, minderungen=earlier), clock)["letzteMinderung"]
    assert (reduction["beginn"], reduction["ende"]) == (date(2025, 4, 1), date(2025, 5, 31))
    assert reduction["prozentLautTabelle"] == percent
    assert reduction["prozent"] == expected


def test_reductions_running_together_reach_30_percent_and_no_more(clock: SimulatedClock) -> None:
    earlier = [existing(date(2025, 4, 1), date(2025, 5, 31), 10)]
    full = record_reduction(reduction_data(20, 2, minderungen=earlier), clock)["letzteMinderung"]
    assert full["prozent"] == 20  # 10 % + 20 % = 30 %: in full
    cut = record_reduction(reduction_data(30, 2, minderungen=earlier), clock)["letzteMinderung"]
    assert (cut["prozentLautTabelle"], cut["prozent"]) == (30, 20)  # 10 % + 30 % would be 40 %


def test_record_reduction_cap_only_sums_reductions_running_at_the_same_time(clock: SimulatedClock) -> None:
    earlier = [existing(date(2025, 4, 1), date(2025, 4, 30), 10), existing(date(2025, 5, 1), date(2025, 5, 31), 10)]
    reduction = record_reduction(reduction_data(20, 2, minderungen=earlier), clock)["letzteMinderung"]
    assert reduction["prozent"] == 20


@pytest.mark.parametrize("earlier_percent", [30, 100])
def test_record_reduction_of_100_percent_is_not_capped(earlier_percent: int, clock: SimulatedClock) -> None:
    earlier = [existing(date(2025, 4, 1), date(2025, 5, 31), earlier_percent)]
    data = reduction_data(100, 2, art="arbeitsverweigerung", minderungen=earlier)
    reduction = record_reduction(data, clock)["letzteMinderung"]
    assert (reduction["prozentLautTabelle"], reduction["prozent"]) == (100, 100)


def test_record_reduction_without_decided_values(clock: SimulatedClock) -> None:
    reduction = record_reduction(reduction_data(minderung=None), clock)["letzteMinderung"]
    assert (reduction["prozentLautTabelle"], reduction["prozent"], reduction["monate"]) == (0, 0, 0)
    assert reduction["begruendung"] is None


def demands() -> list[dict[str, Any]]:
    return [
        {"nr": 1, "status": "offen", "frist": date(2025, 1, 31)},
        {"nr": 2, "status": "offen", "frist": date(2025, 2, 28)},
        {"nr": 3, "status": "erfuellt", "frist": date(2025, 2, 14), "abgeschlossenAm": date(2025, 2, 10)},
    ]


def test_record_reduction_for_a_breach_closes_the_newest_open_demand(clock: SimulatedClock) -> None:
    data = reduction_data(art="pflichtverletzung", aufforderungen=demands())
    changes = record_reduction(data, clock)
    expected = demands()
    expected[1].update(status="minderung", abgeschlossenAm=TODAY)
    assert changes["aufforderungen"] == expected
    assert data["aufforderungen"] == demands()  # not mutated
    assert changes["letzteMinderung"]["art"] == "pflichtverletzung"


def test_record_reduction_for_a_missed_appointment_leaves_demands_alone(clock: SimulatedClock) -> None:
    changes = record_reduction(reduction_data(art="meldeversaeumnis", aufforderungen=demands()), clock)
    assert set(changes) == {"minderungen", "letzteMinderung"}


# --------------------------------------------------------------------------- demands


def test_record_demand_first_demand(clock: SimulatedClock) -> None:
    data = {"rechtsgrundlage": "par15abs5", "aufforderungSchritt": "Fünf Bewerbungen", "aufforderungFrist":
            date(2025, 3, 31)}
    assert record_demand(data, clock) == {"aufforderungen": [
        {"nr": 1, "rechtsgrundlage": "par15abs5", "schritt": "Fünf Bewerbungen", "frist": date(2025, 3, 31),
         # no regime determined: no RFB (see test_rfb.py)
         "erstelltAm": TODAY, "status": "offen", "rfb": None, "nachweis": None},
    ]}


def test_record_demand_numbers_after_the_existing_ones(clock: SimulatedClock) -> None:
    data = {"aufforderungen": demands(), "rechtsgrundlage": "par15abs6", "aufforderungSchritt": "Termin wahrnehmen",
            "aufforderungFrist": date(2025, 4, 7)}
    changes = record_demand(data, clock)
    assert changes["aufforderungen"][:3] == demands()
    assert changes["aufforderungen"][3] == {"nr": 4, "rechtsgrundlage": "par15abs6", "schritt": "Termin wahrnehmen",
                                            "frist": date(2025, 4, 7), "erstelltAm": TODAY, "status": "offen",
                                            "rfb": None, "nachweis": None}
    assert data["aufforderungen"] == demands()


@pytest.mark.parametrize(("fulfilled", "status"), [(True, "erfuellt"), (False, "ohne_folge"), (None, "ohne_folge")])
def test_close_demand_closes_the_newest_open_one(fulfilled: bool | None, status: str, clock: SimulatedClock) -> None:
    data = {"aufforderungen": demands(), "schrittErfuellt": fulfilled}
    expected = demands()
    expected[1].update(status=status, abgeschlossenAm=TODAY)
    assert close_demand(data, clock) == {"aufforderungen": expected}
    assert data["aufforderungen"] == demands()


def test_close_demand_without_open_demand_changes_nothing(clock: SimulatedClock) -> None:
    closed = [{"nr": 1, "status": "erfuellt", "abgeschlossenAm": date(2025, 2, 1)}]
    assert close_demand({"aufforderungen": closed, "schrittErfuellt": True}, clock) == {"aufforderungen": closed}
    assert close_demand({}, clock) == {"aufforderungen": []}


# --------------------------------------------------------------------------- conciliation and mode


def test_start_and_end_conciliation() -> None:
    assert start_conciliation({}, clock_at()) == {"schlichtungLaeuft": True, "schlichtungSeit": TODAY}
    late = SimulatedClock(datetime(2025, 4, 6, 22, 30, tzinfo=UTC))  # 00:30 CEST on 7 April
    assert end_conciliation({"schlichtungLaeuft": True}, late) == {"schlichtungLaeuft": False,
                                                                   "schlichtungBis": date(2025, 4, 7)}


def test_mode_duty_to_report(clock: SimulatedClock) -> None:
    assert mode_duty_to_report({"modus": "selbstbestimmt", "modusGrund": None}, clock) == {
        "modus": "fremdbestimmt", "modusGrund": "meldepflicht"}


def test_record_missed_appointment_refuses_the_rfb_when_the_sent_invitation_lacked_it(clock: SimulatedClock) -> None:
    # § 32 Abs. 1 SGB II: only after a written RFB; the invitation letter recorded as sent had none
    changes = record_missed_appointment(missed_data(einladungRfbFehlt=["prozent", "beginn"]), clock)
    assert (changes["rfbErteilt"], changes["rfbFehlt"]) == (False, ["prozent", "beginn"])
    assert record_missed_appointment(missed_data(einladungRfbFehlt=[]), clock)["rfbErteilt"] is True
