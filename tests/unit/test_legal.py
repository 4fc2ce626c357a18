"""The dated table of legal parameters and the legal date rules (issue 11); each test names its provision."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from engine.domain import legal
from engine.domain.actions import (
    lift_reduction,
    record_actual_delivery,
    record_breach,
    record_exclusion,
    record_missed_appointment,
    record_reachable,
    record_reduction,
)
from engine.runtime.clock import SimulatedClock

CLOCK = SimulatedClock(datetime(2026, 7, 10, 9, tzinfo=UTC))


@pytest.mark.parametrize(("day", "euro"), [
    (date(2023, 6, 1), Decimal("502")), (date(2024, 1, 1), Decimal("563")), (date(2025, 12, 31), Decimal("563")),
    (date(2026, 1, 1), Decimal("563")), (date(2026, 7, 1), Decimal("563")),
])
def test_standard_rate_regelbedarfsstufe_1_par_20_sgb_ii(day: date, euro: Decimal) -> None:
    assert legal.standard_rate(day) == euro


def test_standard_rate_before_the_table_is_a_clear_error() -> None:
    with pytest.raises(ValueError) as info:
        legal.standard_rate(date(2022, 12, 31))
    assert str(info.value) == "Für den 31.12.2022 ist kein Wert für den Regelbedarf hinterlegt."


@pytest.mark.parametrize(("percent", "euro"), [(10, "56.30"), (20, "112.60"), (30, "168.90"), (0, "0.00")])
def test_reduction_amount_from_the_standard_rate_2026(percent: int, euro: str) -> None:
    assert legal.reduction_amount(percent, date(2026, 8, 1)) == Decimal(euro)


def test_rows_resting_on_the_reform_say_so_and_the_table_has_no_commencement_date() -> None:
    reform = [row for row in legal.REDUCTIONS if row.regime == "neue_grundsicherung"]
    assert reform and all(row.source == legal.REFORM_REPORTED for row in reform)
    assert all(row.source == legal.STATUTE for row in legal.REDUCTIONS if row.regime == "buergergeld")
    assert legal.TO_CONFIRM  # what a legal department must confirm
    assert "2026, 7, 1" not in Path(legal.__file__).read_text(encoding="utf-8")  # only the DMN holds it


@pytest.mark.parametrize(("regime", "kind", "stage", "expected"), [
    ("buergergeld", "pflichtverletzung", 1, (10, 1)), ("buergergeld", "pflichtverletzung", 2, (20, 2)),
    ("buergergeld", "pflichtverletzung", 3, (30, 3)), ("buergergeld", "pflichtverletzung", 7, (30, 3)),
    ("buergergeld", "arbeitsverweigerung", 2, (20, 2)), ("buergergeld", "meldeversaeumnis", 3, (10, 1)),
    ("neue_grundsicherung", "pflichtverletzung", 1, (30, 3)), ("neue_grundsicherung", "meldeversaeumnis", 1, (0, 0)),
    ("neue_grundsicherung", "meldeversaeumnis", 2, (30, 1)),
])
def test_reduction_rows_par_31a_and_32(regime: str, kind: str, stage: int, expected: tuple[int, int]) -> None:
    row = legal.reduction_rule(regime, kind, stage)
    assert row is not None and (row.percent, row.months) == expected


# ---------------------------------------------------------------- § 37 Abs. 2 SGB X, § 31b Abs. 1 SGB II


def test_posted_on_28_march_2025_counts_as_delivered_on_1_april_and_starts_in_may() -> None:
    assert legal.deemed_delivery(date(2025, 3, 28)) == date(2025, 4, 1)
    assert legal.reduction_start(date(2025, 3, 28)) == date(2025, 5, 1)


def test_before_2025_the_third_day_after_posting_par_37_sgb_x_old_version() -> None:
    assert legal.deemed_delivery(date(2024, 12, 28)) == date(2024, 12, 31)
    assert legal.reduction_start(date(2024, 12, 28)) == date(2025, 1, 1)


def test_a_recorded_later_delivery_overrides_the_fiction_an_earlier_one_does_not() -> None:
    # § 37 Abs. 2 Satz 3 SGB X: the fiction gives way when the decision arrived later
    assert legal.reduction_start(date(2025, 3, 20), actual=date(2025, 4, 2)) == date(2025, 5, 1)
    assert legal.reduction_start(date(2025, 3, 20), actual=date(2025, 3, 21)) == date(2025, 4, 1)


def test_record_reduction_posted_on_the_28th_starts_a_month_later() -> None:
    data = {"art": "pflichtverletzung", "verstossAm": date(2025, 3, 3), "bescheidAm": date(2025, 3, 28),
            "fruehereMinderungen": 0, "minderungen": [],
            "minderung": {"prozent": 10, "monate": 1, "folge": "minderung", "begruendung": "§ 31a"}}
    reduction = record_reduction(data, CLOCK)["letzteMinderung"]
    assert (reduction["zugangAm"], reduction["beginn"], reduction["ende"]) == (
        date(2025, 4, 1), date(2025, 5, 1), date(2025, 5, 31))
    assert (reduction["stufe"], reduction["betrag"]) == (1, "56.30")
    later = record_reduction({**data, "zugangAm": date(2025, 4, 3)}, CLOCK)["letzteMinderung"]
    assert later["zugangAm"] == date(2025, 4, 3)


# ---------------------------------------------------------------- § 26 Abs. 3 SGB X: the violation date


@pytest.mark.parametrize(("nominal", "moved"), [
    (date(2026, 6, 27), date(2026, 6, 29)),  # Saturday -> Monday
    (date(2026, 4, 6), date(2026, 4, 7)),  # Easter Monday -> Tuesday
    (date(2025, 10, 31), date(2025, 11, 3)),  # Reformation Day in Lower Saxony (a Friday) -> Monday
    (date(2026, 6, 30), date(2026, 6, 30)),  # a working day stays
])
def test_violation_date_is_the_moved_end_of_the_deadline_par_26_abs_3_sgb_x(nominal: date, moved: date) -> None:
    changes = record_breach({"aufforderungFrist": nominal, "wichtigerGrund": False}, CLOCK)
    assert (changes["verstossAm"], changes["stichtag"]) == (moved, moved)


def test_the_moved_violation_date_decides_the_regime_window() -> None:
    # nominal Saturday 27.06.2026, moved to Monday 29.06.2026: a reduction that began 29.06.2025 is in the window
    earlier = {"art": "pflichtverletzung", "bescheidAm": date(2025, 6, 2), "beginn": date(2025, 6, 29),
               "ende": date(2025, 7, 28), "prozent": 10, "prozentLautTabelle": 10}
    changes = record_breach({"aufforderungFrist": date(2026, 6, 27), "minderungen": [earlier]}, CLOCK)
    assert changes["fruehereMinderungen"] == 1


# ---------------------------------------------------------------- § 31a Abs. 1 Satz 2 to 5 SGB II: the stage


def test_a_breach_after_a_20_percent_reduction_is_30_percent_not_a_count() -> None:
    # the 10 % reduction lies outside the year, the 20 % one inside: the new breach is a further repetition
    first = {"art": "pflichtverletzung", "bescheidAm": date(2024, 11, 10), "beginn": date(2024, 12, 1),
             "ende": date(2024, 12, 31), "prozent": 10, "prozentLautTabelle": 10, "stufe": 1}
    second = {"art": "pflichtverletzung", "bescheidAm": date(2025, 6, 10), "beginn": date(2025, 7, 1),
              "ende": date(2025, 8, 31), "prozent": 20, "prozentLautTabelle": 20, "stufe": 2}
    changes = record_breach({"aufforderungFrist": date(2026, 2, 2), "minderungen": [first, second]}, CLOCK)
    assert changes["fruehereMinderungen"] == 2  # -> Rule_Minderung_Buergergeld_Weitere: 30 % for 3 months


# ---------------------------------------------------------------- § 31a Abs. 1 Satz 6, § 31b Abs. 2 SGB II: lifting


def running(kind: str = "pflichtverletzung") -> dict[str, object]:
    return {"art": kind, "bescheidAm": date(2025, 3, 28), "beginn": date(2025, 5, 1), "ende": date(2025, 7, 31),
            "monate": 3, "prozent": 30}


def test_lifting_on_compliance_ends_the_period_the_day_before() -> None:
    changes = lift_reduction({"erfuelltAm": date(2025, 6, 10), "minderungen": [running()]}, CLOCK)
    [lifted] = changes["minderungen"]
    assert (lifted["ende"], lifted["erfuelltAm"], lifted["monate"]) == (date(2025, 6, 9), date(2025, 6, 10), 2)
    assert changes["letzteAufhebung"] == lifted


def test_lifting_not_before_one_month_is_over() -> None:
    changes = lift_reduction({"erfuelltAm": date(2025, 4, 15), "minderungen": [running()]}, CLOCK)
    assert changes["minderungen"][0]["ende"] == date(2025, 5, 31)


def test_a_missed_appointment_reduction_is_not_lifted_and_an_ended_one_stays() -> None:
    ended = {**running(), "ende": date(2025, 5, 31)}
    changes = lift_reduction({"erfuelltAm": date(2025, 6, 10), "minderungen": [running("meldeversaeumnis"), ended]},
                             CLOCK)
    assert [reduction["ende"] for reduction in changes["minderungen"]] == [date(2025, 7, 31), date(2025, 5, 31)]
    assert changes["letzteAufhebung"] is None


def test_lifting_needs_the_day_of_compliance() -> None:
    with pytest.raises(ValueError) as info:
        lift_reduction({"minderungen": [running()]}, CLOCK)
    assert str(info.value) == "Bitte angeben, wann die Pflicht erfüllt oder die Bereitschaft erklärt wurde."


# ---------------------------------------------------------------- reform: unreachable is an exclusion (unverified)


def test_unreachable_is_an_exclusion_with_one_month_of_rent_to_the_landlord() -> None:
    changes = record_exclusion({"feststellungAm": date(2026, 7, 20)}, CLOCK)
    assert changes["ausschluss"] == {"festgestelltAm": date(2026, 7, 20), "regelbedarfEntfaelltAb": date(2026, 8, 1),
                                     "mieteAnVermieterBis": date(2026, 8, 31), "leistungenEndenAb": date(2026, 9, 1),
                                     "gemeldetAm": None}
    assert "minderungen" not in changes  # not a 100 % reduction


def test_coming_forward_ends_the_run_of_missed_appointments() -> None:
    determined = {"festgestelltAm": date(2026, 7, 20)}
    data = {"ausschluss": determined, "ausschluesse": [determined], "gemeldetAm": date(2026, 7, 30)}
    changes = record_reachable(data, CLOCK)
    assert changes["erreichbarSeit"] == date(2026, 7, 30)
    missed = record_missed_appointment({"terminAm": date(2026, 8, 6), "meldeversaeumnisse": [
        date(2026, 7, 6), date(2026, 7, 13), date(2026, 7, 20)], **changes}, CLOCK)
    assert missed["meldeversaeumnisseInFolge"] == 1


def test_a_decision_handed_over_in_person_is_delivered_that_day() -> None:
    # § 37 Abs. 2 SGB X applies to posted decisions only: handed over on 28.03.2025, the reduction starts in April
    assert legal.reduction_start(date(2025, 3, 28), in_person=True) == date(2025, 4, 1)
    data = {"art": "pflichtverletzung", "verstossAm": date(2025, 3, 3), "bescheidAm": date(2025, 3, 28),
            "bekanntgabe": "persoenlich", "minderungen": [],
            "minderung": {"prozent": 10, "monate": 1, "folge": "minderung", "begruendung": "§ 31a"}}
    reduction = record_reduction(data, CLOCK)["letzteMinderung"]
    assert (reduction["zugangAm"], reduction["beginn"]) == (date(2025, 3, 28), date(2025, 4, 1))


def test_under_the_reform_only_misses_under_the_new_law_make_the_run() -> None:
    data = {"terminAm": date(2026, 7, 6), "meldeversaeumnisse": [date(2026, 6, 22), date(2026, 6, 29)],
            "rechtskreisVerstoss": "neue_grundsicherung"}
    changes = record_missed_appointment(data, CLOCK)
    assert (changes["meldeversaeumnisseInFolge"], changes["meldeversaeumnisseNeuesRecht"]) == (1, [date(2026, 7, 6)])
    old_law = record_missed_appointment({**data, "rechtskreisVerstoss": "buergergeld"}, CLOCK)
    assert (old_law["meldeversaeumnisseInFolge"], old_law["meldeversaeumnisseNeuesRecht"]) == (3, [])


@pytest.mark.parametrize(("requested", "earlier_breaches", "earlier_missed", "why"), [
    (False, 0, 0, None),  # first breach, nothing asked: hearing in writing, in person on request
    (True, 0, 0, "auf Ihren Wunsch (§ 31a Abs. 2 SGB II)"),
    (False, 1, 0, "wiederholte Pflichtverletzung (§ 31a Abs. 2 SGB II)"),
    (False, 0, 1, "wiederholtes Meldeversäumnis (§ 31a Abs. 2 SGB II)"),
    (True, 2, 0, "wiederholte Pflichtverletzung (§ 31a Abs. 2 SGB II)"),
])
def test_par_31a_abs_2_sgb_ii_hearing_in_person_on_request_and_after_repeated_breaches(
        requested: bool, earlier_breaches: int, earlier_missed: int, why: str | None) -> None:
    assert legal.hearing_in_person(requested, earlier_breaches, earlier_missed) == why


POSTED_REDUCTION = {"art": "pflichtverletzung", "bescheidAm": date(2025, 3, 28), "zugangAm": date(2025, 4, 1),
                    "beginn": date(2025, 5, 1), "ende": date(2025, 6, 30), "monate": 2, "prozent": 20}


def test_par_37_abs_2_satz_3_sgb_x_a_later_actual_delivery_moves_the_start_an_earlier_one_does_not() -> None:
    later = record_actual_delivery(POSTED_REDUCTION, date(2025, 4, 3), today=date(2025, 4, 10))
    assert (later["zugangAm"], later["beginn"], later["ende"]) == (date(2025, 4, 3), date(2025, 5, 1),
                                                                   date(2025, 6, 30))  # same month: same start
    much_later = record_actual_delivery(POSTED_REDUCTION, date(2025, 5, 2), today=date(2025, 5, 5))
    assert (much_later["beginn"], much_later["ende"]) == (date(2025, 6, 1), date(2025, 7, 31))
    earlier = record_actual_delivery(POSTED_REDUCTION, date(2025, 3, 29), today=date(2025, 4, 10))
    assert (earlier["zugangAm"], earlier["beginn"]) == (date(2025, 4, 1), date(2025, 5, 1))  # the fiction stands
    with pytest.raises(ValueError, match=r"nicht vor der Aufgabe zur Post am 28\.03\.2025"):
        record_actual_delivery(POSTED_REDUCTION, date(2025, 3, 27), today=date(2025, 4, 10))
    with pytest.raises(ValueError, match="nicht in der Zukunft"):
        record_actual_delivery(POSTED_REDUCTION, date(2025, 4, 11), today=date(2025, 4, 10))
