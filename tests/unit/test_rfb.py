"""Golden tests of the Rechtsfolgenbelehrung per regime: first, second, third breach and a missed appointment
(§ 31 Abs. 1, §§ 31a, 31b, 32 SGB II; BSG 17.12.2009, B 4 AS 30/09 R)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from engine.domain import rfb
from engine.domain.actions import record_breach, record_deadline_date, record_demand
from engine.runtime.clock import SimulatedClock

OLD, NEW = date(2026, 5, 4), date(2026, 8, 3)  # a Monday under each regime
CLOCK = SimulatedClock(datetime(2026, 4, 20, 9, tzinfo=UTC))


@pytest.mark.parametrize(("regime", "kind", "stage", "on", "now", "then"), [
    ("buergergeld", "pflichtverletzung", 1, OLD, (10, "56.30", 1), (20, "112.60", 2)),
    ("buergergeld", "pflichtverletzung", 2, OLD, (20, "112.60", 2), (30, "168.90", 3)),
    ("buergergeld", "pflichtverletzung", 3, OLD, (30, "168.90", 3), (30, "168.90", 3)),
    ("buergergeld", "meldeversaeumnis", 1, OLD, (10, "56.30", 1), (10, "56.30", 1)),
    ("neue_grundsicherung", "pflichtverletzung", 1, NEW, (30, "168.90", 3), (30, "168.90", 3)),
    ("neue_grundsicherung", "pflichtverletzung", 2, NEW, (30, "168.90", 3), (30, "168.90", 3)),
    ("neue_grundsicherung", "pflichtverletzung", 3, NEW, (30, "168.90", 3), (30, "168.90", 3)),
    ("neue_grundsicherung", "meldeversaeumnis", 1, NEW, (0, "0.00", 0), (30, "168.90", 1)),
])
def test_rfb_golden(regime: str, kind: str, stage: int, on: date, now: tuple[int, str, int],
                    then: tuple[int, str, int]) -> None:
    given = rfb.compute(regime, kind, stage, on)
    assert (given["prozent"], given["betrag"], given["monate"]) == now
    repeat = given["wiederholung"]
    assert (repeat["prozent"], repeat["betrag"], repeat["monate"]) == then
    assert rfb.missing(given) == []
    words = rfb.text(given)
    for required in ("Kalendermonat, der auf die Bekanntgabe", "wichtigen Grund", "darlegen und nachweisen",
                     "außergewöhnlichen Härte", "§ 24 SGB X"):
        assert required in words
    assert ("aufgehoben, frühestens nach einem Monat" in words) is (kind == "pflichtverletzung")
    assert ("nicht erreichbar" in words) is (regime == "neue_grundsicherung" and kind == "meldeversaeumnis")


def test_rfb_golden_text_first_breach_buergergeld() -> None:
    assert rfb.text(rfb.compute("buergergeld", "pflichtverletzung", 1, OLD)).startswith(
        "Kommen Sie dem ohne wichtigen Grund nicht nach, mindert sich Ihre Leistung um 10 % des Regelbedarfs, das "
        "sind 56,30 € monatlich, für einen Monat. Die Minderung beginnt mit dem Kalendermonat, der auf die "
        "Bekanntgabe des Bescheids über die Minderung folgt (§ 31b Abs. 1 SGB II); ein Bescheid per Post gilt am "
        "vierten Tag nach der Aufgabe zur Post als bekanntgegeben (§ 37 Abs. 2 SGB X). Bei einer weiteren "
        "Pflichtverletzung beträgt die Minderung 20 % (112,60 € monatlich) für 2 Monate.")


def test_reform_second_missed_appointment_in_a_row_is_30_percent() -> None:
    given = rfb.compute("neue_grundsicherung", "meldeversaeumnis", 1, NEW, in_a_row=1)
    assert (given["prozent"], given["monate"], given["quelle"]) == (30, 1, rfb.legal.REFORM_REPORTED)


@pytest.mark.parametrize(("regime", "kind"), [("alt", "pflichtverletzung"), ("buergergeld", "sonstiges")])
def test_unknown_regime_or_kind_is_refused(regime: str, kind: str) -> None:
    with pytest.raises(ValueError):
        rfb.compute(regime, kind, 1, OLD)


def demand_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"aufforderungFrist": date(2026, 5, 2), "rechtsgrundlage": "par15abs6",
                            "aufforderungSchritt": "Bewerbung", "rechtskreisFrist": "buergergeld", "minderungen": []}
    data.update(overrides)
    return data


def test_a_demand_records_the_rfb_of_the_regime_on_the_moved_deadline_end() -> None:
    assert record_deadline_date(demand_data(), CLOCK) == {"stichtag": OLD}  # Saturday 02.05. -> Monday 04.05.
    [demand] = record_demand(demand_data(), CLOCK)["aufforderungen"]
    assert demand["rfb"] == rfb.compute("buergergeld", "pflichtverletzung", 1, OLD)


def test_a_breach_with_the_recorded_complete_rfb_can_be_reduced() -> None:
    data = demand_data()
    data.update(record_demand(data, CLOCK))
    changes = record_breach(data, CLOCK)
    assert (changes["rfbErteilt"], changes["rfbFehlt"]) == (True, [])


@pytest.mark.parametrize("recorded", [None, {"prozent": 10, "betrag": "56.30", "monate": 1}])
def test_a_reduction_is_refused_when_the_recorded_rfb_is_not_complete(recorded: Any) -> None:
    # § 31 Abs. 1 Satz 1 SGB II: only "trotz schriftlicher Belehrung"; an incomplete RFB is none (B 4 AS 30/09 R)
    demand = {"nr": 1, "status": "offen", "frist": date(2026, 5, 2), "rfb": recorded}
    changes = record_breach(demand_data(aufforderungen=[demand]), CLOCK)
    assert changes["rfbErteilt"] is False
    assert "beginn" in changes["rfbFehlt"] and "wichtigerGrund" in changes["rfbFehlt"]


def test_work_refusal_rfb_per_regime() -> None:
    # Bürgergeld: graduated as every breach (§ 31 Abs. 1 Satz 1 Nr. 2, § 31a Abs. 1); reform: the standard rate is
    # withdrawn while the offer stands, at most two months (source weaker than the statute text)
    old = rfb.compute("buergergeld", "arbeitsverweigerung", 1, OLD)
    assert (old["prozent"], old["monate"], old["aufhebung"]) == (10, 1, rfb.LIFTING)
    new = rfb.compute("neue_grundsicherung", "arbeitsverweigerung", 1, NEW)
    assert (new["prozent"], new["betrag"], new["monate"], new["aufhebung"]) == (100, "563.00", 2, rfb.WITHDRAWAL)
    assert "solange das Arbeitsangebot besteht" in rfb.text(new)


def test_a_demand_to_take_a_job_offer_is_a_work_refusal_when_breached() -> None:
    data = demand_data(rechtsgrundlage="arbeitsangebot", rechtskreisFrist="neue_grundsicherung",
                       aufforderungFrist=NEW)
    data.update(record_demand(data, CLOCK))
    assert data["aufforderungen"][0]["rfb"]["art"] == "arbeitsverweigerung"
    assert record_breach(data, CLOCK)["art"] == "arbeitsverweigerung"
