"""Every path of the SRO concept through the shipped diagrams, on the simulated clock.

Each test states the path taken (elements passed, in order), the task or event waiting next and the
case's fields, the way the concept describes it (concept sections 2-7, MODEL.md).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from engine.runtime.clock import SimulatedClock, berlin_midnight
from engine.runtime.errors import FormError
from engine.services import Services
from tests.conftest import SRO_PROCESSES, make_sqlite
from tests.model.sro import Fall, agreed_plan
from tests.process_assert import assert_that

# ---------------------------------------------------------------- 1 start phase


def test_start_phase_first_session_in_person_then_plan(services: Services) -> None:
    fall = Fall(services)
    assert_that(fall).has_open_tasks_exactly("Task_Erstgespraech").is_waiting_for_message(
        "Meldeversaeumnis", at="StartEvent_Meldeversaeumnis")
    assert fall.row.initial_phase is True and fall.row.priority_group == 1

    outcome = fall.session("Task_Erstgespraech")
    assert_that(fall, command=outcome).has_passed_in_order(
        "Task_Erstgespraech", "Task_FallFortschreiben", "Task_Prioritaet", "Task_Kontaktdichte", "Gateway_Ergebnis",
    ).has_open_tasks_exactly("Task_Kooperationsplan")
    row = fall.row
    assert row.initial_phase is False
    assert row.mode == "selbstbestimmt"
    assert row.priority_group == 3  # cooperative, no immediate integration need
    assert row.contact_interval_days == 28
    assert row.next_contact_on == fall.today + timedelta(days=14)
    assert row.next_contact_kind == "wiedervorlage"


def test_first_session_is_in_person_only(services: Services) -> None:
    fall = Fall(services)
    with pytest.raises(FormError) as caught:
        fall.session("Task_Erstgespraech", gespraechsart="telefon")
    assert "gespraechsart" in caught.value.errors
    assert_that(fall).has_open_tasks_exactly("Task_Erstgespraech")


# ---------------------------------------------------------------- 2 every session ends with a next contact


@pytest.mark.parametrize("missing", ["naechsterKontakt", "naechsterKontaktAm"])
def test_a_session_cannot_end_without_follow_up(services: Services, missing: str) -> None:
    fall = Fall(services)
    with pytest.raises(FormError) as caught:
        fall.session("Task_Erstgespraech", **{missing: None})
    assert caught.value.errors == {missing: "Pflichtfeld: bitte ausfüllen."}
    assert_that(fall).has_open_tasks_exactly("Task_Erstgespraech")


def test_the_next_session_surfaces_on_its_follow_up_date(services: Services) -> None:
    fall = agreed_plan(services, (5, None), laufzeit="P1M")
    fall.advance("P5D")
    fall.complete("Task_SchrittPruefen", schrittNr=1, schrittErledigt=True)
    assert_that(fall).has_open_tasks_exactly("Task_PlanUeberpruefen")
    review_date = fall.today + timedelta(days=10)
    fall.complete("Task_PlanUeberpruefen", ueberpruefung="Ziel erreicht, neuer Plan folgt", gespraechsart="telefon",
                  naechsterKontakt="folgetermin_telefon", naechsterKontaktAm=review_date.isoformat())
    session = fall.task("Task_Beratungsgespraech")
    assert session.follow_up_at is not None
    assert session.follow_up_at.date() == review_date - timedelta(days=1)  # midnight in Berlin, stored in UTC
    assert fall.row.cycle_count == 2


# ---------------------------------------------------------------- 3 plan with dated steps, each checked


def test_each_step_is_checked_on_its_wiedervorlage_or_due_date(services: Services) -> None:
    fall = agreed_plan(services, (20, None), (10, 12))
    # step 2's Wiedervorlage (day 12), at midnight in Berlin
    assert_that(fall).is_waiting_for_timer("Event_SchrittFaellig", due=berlin_midnight(fall.today + timedelta(days=12)))
    assert fall.advance("P11D") == 0
    assert fall.advance("P1D") == 1
    fall.complete("Task_SchrittPruefen", schrittNr=2, schrittErledigt=True)
    steps = {step["nr"]: step["status"] for step in fall.current()["schritte"]}
    assert steps == {1: "offen", 2: "erledigt"}
    assert_that(fall).has_no_open_tasks()
    fall.advance("P8D")  # step 1 due on day 20
    outcome = fall.complete("Task_SchrittPruefen", schrittNr=1, schrittErledigt=True)
    assert_that(fall, command=outcome).has_passed_in_order(
        "Task_SchrittPruefen", "Task_SchrittStatus", "Gateway_SchrittErledigt", "Gateway_AlleSchritte",
        "EndEvent_PlanErfuellt").has_open_tasks_exactly("Task_PlanUeberpruefen")


def test_plan_form_checks_the_steps(services: Services) -> None:
    fall = Fall(services)
    fall.session("Task_Erstgespraech")
    with pytest.raises(FormError) as caught:
        fall.complete("Task_Kooperationsplan", planZiel="Arbeit", planLaufzeit="P6M",
                      schritte=[{"beschreibung": "", "verantwortlich": "amt", "faellig": "2020-01-01"}])
    assert set(caught.value.errors) == {"schritte.1.beschreibung", "schritte.1.verantwortlich", "schritte.1.faellig"}
    with pytest.raises(FormError) as caught:
        fall.complete("Task_Kooperationsplan", planZiel="Arbeit", planLaufzeit="P9M", schritte=[])
    assert set(caught.value.errors) == {"planLaufzeit", "schritte"}
    assert_that(fall).has_open_tasks_exactly("Task_Kooperationsplan")


# ---------------------------------------------------------------- 4 step not done


def test_step_not_done_reasons_then_another_try(services: Services) -> None:
    fall = agreed_plan(services, (7, None))
    fall.advance("P7D")
    fall.complete("Task_SchrittPruefen", schrittNr=1, schrittErledigt=False)
    assert_that(fall).has_open_tasks_exactly("Task_GruendeBesprechen")
    outcome = fall.complete("Task_GruendeBesprechen", gruende="Krank gewesen", schrittEntscheidung="weiterer_versuch",
                            neueFrist=(fall.today + timedelta(days=14)).isoformat())
    assert_that(fall, command=outcome).has_passed_in_order(
        "Task_GruendeBesprechen", "Task_SchrittNeu", "Gateway_SchrittEntscheidung", "Gateway_SchrittMerge")
    [step] = fall.current()["schritte"]
    assert step["faellig"] == fall.today + timedelta(days=14) and step["status"] == "offen"
    assert fall.advance("P14D") == 1
    assert_that(fall).has_open_tasks_exactly("Task_SchrittPruefen")


def test_step_not_done_adjusted(services: Services) -> None:
    fall = agreed_plan(services, (7, None))
    fall.advance("P7D")
    fall.complete("Task_SchrittPruefen", schrittNr=1, schrittErledigt=False)
    fall.complete("Task_GruendeBesprechen", gruende="Zu viel auf einmal", schrittEntscheidung="anpassen",
                  schrittBeschreibung="Eine Bewerbung pro Woche", neueFrist=fall.in_days(7))
    [step] = fall.current()["schritte"]
    assert step["beschreibung"] == "Eine Bewerbung pro Woche"
    assert_that(fall).is_waiting_for_timer("Event_SchrittFaellig")


def test_step_not_done_demand_with_legal_consequences(services: Services) -> None:
    fall = agreed_plan(services, (7, None))
    fall.advance("P7D")
    fall.complete("Task_SchrittPruefen", schrittNr=1, schrittErledigt=False)
    outcome = fall.complete("Task_GruendeBesprechen", gruende="Keine Angabe", schrittEntscheidung="aufforderung")
    # the call activity runs until the demand's process ends; the demand is the task now waiting
    assert_that(fall, command=outcome).has_passed_in_order(
        "Task_SchrittNeu", "Gateway_SchrittEntscheidung", "StartEvent_Af").has_open_tasks_exactly("Task_AfErstellen")


# ---------------------------------------------------------------- 5 review at the latest after the plan's term


def test_review_after_the_plans_term_even_with_steps_open(services: Services) -> None:
    fall = agreed_plan(services, (60, None), laufzeit="P1M")
    assert fall.advance("P1M") == 1
    assert_that(fall).has_passed("Event_Ueberpruefung").has_open_tasks_exactly("Task_PlanUeberpruefen")
    # the appointment on Monday 07.04.2025 (+3 would be a Sunday, refused)
    fall.complete("Task_PlanUeberpruefen", ueberpruefung="Plan fortgeschrieben", gespraechsart="praesenz",
                  naechsterKontakt="folgetermin_praesenz", naechsterKontaktAm=fall.in_days(4))
    assert fall.row.cycle_count == 2
    assert_that(fall).has_open_tasks_exactly("Task_Beratungsgespraech")


def test_exception_only_a_short_report_after_six_months(services: Services) -> None:
    fall = Fall(services)
    fall.session("Task_Erstgespraech", ergebnis="ausnahme_rueckmeldung", ausnahme="unzumutbar")
    assert fall.row.priority_group == 6
    assert_that(fall).has_no_open_tasks()
    assert fall.advance(timedelta(days=180)) == 0
    assert fall.advance("P6M") == 1
    fall.complete("Task_RueckmeldungAuswerten", rueckmeldung="Kind jetzt drei Jahre alt",
                  rueckmeldungEntscheidung="einladen",
                  naechsterKontaktAm=(fall.today + timedelta(days=10)).isoformat())
    assert fall.row.cycle_count == 2
    assert_that(fall).has_open_tasks_exactly("Task_Beratungsgespraech")


def test_exception_report_can_update_the_plan(services: Services) -> None:
    fall = Fall(services)
    fall.session("Task_Erstgespraech", ergebnis="ausnahme_rueckmeldung", ausnahme="integriert")
    fall.advance("P6M")
    fall.complete("Task_RueckmeldungAuswerten", rueckmeldung="Arbeit läuft",
                  rueckmeldungEntscheidung="plan_aktualisieren",
                  naechsterKontaktAm=(fall.today + timedelta(days=180)).isoformat())
    assert_that(fall).has_open_tasks_exactly("Task_PlanAktualisieren")
    fall.complete("Task_PlanAktualisieren", planZiel="Mehr Stunden", schritte=[
        {"beschreibung": "Mit dem Arbeitgeber sprechen", "verantwortlich": "elb",
         "faellig": (fall.today + timedelta(days=30)).isoformat()}])
    # the exception stays: only the next Rückmeldung after six months, no plan review
    assert_that(fall).is_waiting_exactly_at(
        "Event_Rueckmeldung", "StartEvent_Meldeversaeumnis", "StartEvent_Aufhebung").has_not_passed(
        "Sub_Plan", "Task_PlanUeberpruefen")


# ---------------------------------------------------------------- 6 self- and externally determined action


def test_unwilling_client_steps_set_then_demand_without_plan(services: Services) -> None:
    fall = Fall(services)
    fall.session("Task_Erstgespraech", ergebnis="beratungsunwillig", kooperationsbereit=False)
    assert (fall.row.mode, fall.row.mode_reason) == ("fremdbestimmt", "beratungsunwillig")
    assert fall.row.priority_group == 1  # still in the start phase: no plan yet
    outcome = fall.complete("Task_SchritteFestlegen", planDochVereinbart=False, schritte=[
                            {"beschreibung": "Bewerbung bei Firma X", "verantwortlich": "elb",
                             "faellig": (fall.today + timedelta(days=14)).isoformat()}])
    # no plan came about: as after "kein Plan", the conciliation is offered first (Bürgergeld)
    assert_that(fall, command=outcome).has_passed_in_order(
        "Task_SchritteFestlegen", "Gateway_PlanDoch", "Gateway_KeinPlanMerge", "Task_StichtagHeute",
        "Gateway_Rechtskreis").has_open_tasks_exactly("Task_SchlichtungAnbieten")
    outcome = fall.complete("Task_SchlichtungAnbieten", schlichtungGewuenscht=False)
    assert_that(fall, command=outcome).has_passed_in_order("Gateway_AufforderungMerge", "StartEvent_Af",
                                                           ).has_open_tasks_exactly("Task_AfErstellen")


def test_unable_client_steps_set_and_agreed_in_a_plan(services: Services) -> None:
    fall = Fall(services)
    fall.session("Task_Erstgespraech", ergebnis="beratungsunfaehig")
    assert (fall.row.mode, fall.row.mode_reason) == ("fremdbestimmt", "beratungsunfaehig")
    fall.complete("Task_SchritteFestlegen", planDochVereinbart=True, schritte=[
                  {"beschreibung": "Sprachkurs B1 beginnen", "verantwortlich": "elb",
                   "faellig": (fall.today + timedelta(days=30)).isoformat()}])
    assert_that(fall).has_open_tasks_exactly("Task_Kooperationsplan")
    # the steps set are carried into the plan form: its data holds them as the plan's list
    _, definition, data = services.task_form(fall.task("Task_Kooperationsplan").id)
    assert definition.form_key == "sro:kooperationsplan"
    assert [(step["nr"], step["beschreibung"], step["status"]) for step in data["schritte"]] == [
        (1, "Sprachkurs B1 beginnen", "offen")]


def test_steps_set_and_not_agreed_are_no_agreed_plan(services: Services) -> None:
    fall = Fall(services)
    fall.session("Task_Erstgespraech", ergebnis="beratungsunwillig", kooperationsbereit=False)
    fall.complete("Task_SchritteFestlegen", planDochVereinbart=False, schritte=[
                  {"beschreibung": "Bewerbung bei Firma X", "verantwortlich": "elb",
                   "faellig": (fall.today + timedelta(days=14)).isoformat()},
                  {"beschreibung": "Lebenslauf mitbringen", "verantwortlich": "elb",
                   "faellig": (fall.today + timedelta(days=7)).isoformat()}])
    assert [step["beschreibung"] for step in fall.current()["schritte"]] == [
        "Bewerbung bei Firma X", "Lebenslauf mitbringen"]
    assert "planVereinbartAm" not in fall.current()


def test_mode_returns_to_self_determined_when_the_client_cooperates_again(services: Services) -> None:
    fall = Fall(services)
    fall.session("Task_Erstgespraech", ergebnis="beratungsunwillig", kooperationsbereit=False)
    fall.complete("Task_SchritteFestlegen", planDochVereinbart=False, schritte=[
                  {"beschreibung": "Bewerbung", "verantwortlich": "elb",
                   "faellig": (fall.today + timedelta(days=14)).isoformat()}])
    fall.complete("Task_SchlichtungAnbieten", schlichtungGewuenscht=False)  # Bürgergeld: offered first
    demand_and_fulfil(fall)
    assert fall.row.cycle_count == 2
    fall.session("Task_Erstgespraech", ergebnis="plan_vereinbart", kooperationsbereit=True)
    assert (fall.row.mode, fall.row.mode_reason) == ("selbstbestimmt", None)


# ---------------------------------------------------------------- 7 no plan: conciliation (Bürgergeld)


def test_no_plan_conciliation_then_plan(services: Services) -> None:
    fall = Fall(services)
    outcome = fall.session("Task_Erstgespraech", ergebnis="kein_plan")
    assert_that(fall, command=outcome).has_passed_in_order(
        "Gateway_Ergebnis", "Task_StichtagHeute", "Task_Rechtskreis", "Gateway_Rechtskreis",
    ).has_open_tasks_exactly("Task_SchlichtungAnbieten")
    assert fall.row.mode_reason == "kein_plan"
    fall.complete("Task_SchlichtungAnbieten", schlichtungGewuenscht=True)
    assert_that(fall).is_waiting_for_message("SchlichtungBeendet", at="Event_SlBeendet").is_waiting_for_timer(
        "Event_SlFrist")
    assert fall.current()["schlichtungLaeuft"] is True
    fall.message("SchlichtungBeendet", ergebnis="Einigung")
    fall.complete("Task_SlErgebnis", einigung=True)
    assert_that(fall).has_open_tasks_exactly("Task_Kooperationsplan")


def test_no_plan_conciliation_at_most_four_weeks_then_demand(services: Services) -> None:
    fall = Fall(services)
    fall.session("Task_Erstgespraech", ergebnis="kein_plan")
    fall.complete("Task_SchlichtungAnbieten", schlichtungGewuenscht=True)
    assert fall.advance("P27D") == 0
    assert fall.advance("P1D") == 1
    fall.complete("Task_SlErgebnis", einigung=False)
    assert_that(fall).has_passed_in_order(
        "Event_SlFrist", "Task_SlErgebnis", "Task_SlBeenden", "Call_Schlichtung", "Gateway_Einigung",
        "Gateway_AufforderungMerge", "StartEvent_Af",
    ).has_open_tasks_exactly("Task_AfErstellen")


def test_no_plan_under_the_new_regime_goes_straight_to_a_demand(tmp_path: Path) -> None:
    clock = SimulatedClock(datetime(2026, 7, 1, 8, tzinfo=UTC))
    services = make_sqlite(tmp_path / "neu.sqlite3", clock, SRO_PROCESSES)
    fall = Fall(services)
    fall.session("Task_Erstgespraech", ergebnis="kein_plan")
    assert fall.current()["rechtskreis"] == "neue_grundsicherung"
    assert_that(fall).has_not_passed("Task_SchlichtungAnbieten").has_open_tasks_exactly("Task_AfErstellen")


# ---------------------------------------------------------------- 8 missed appointments


def hear_missed_appointment(fall: Fall, good_reason: bool = False) -> None:
    """§ 24 SGB X: the hearing before any reduction for a missed appointment; the statement arrives at once."""
    assert "Task_MvAnhoerung" in fall.tasks()
    fall.complete("Task_MvAnhoerung", anhoerungFrist=fall.in_days(14), anhoerungPersoenlich=False)
    fall.message("StellungnahmeEingegangen", text="Stellungnahme")
    fall.complete("Task_MvStellungnahme", wichtigerGrund=good_reason, haerte=False)


def test_missed_appointment_reduction_then_new_invitation(services: Services) -> None:
    fall = agreed_plan(services, (200, None), laufzeit="P1M")
    fall.advance("P1M")
    fall.complete("Task_PlanUeberpruefen", ueberpruefung="Weiter so", gespraechsart="praesenz",
                  naechsterKontakt="folgetermin_praesenz", naechsterKontaktAm=fall.in_days(7))
    missed = fall.today + timedelta(days=7)
    fall.advance("P8D")
    fall.message("Meldeversaeumnis")
    assert_that(fall).has_open_tasks_exactly("Task_Beratungsgespraech", "Task_MvPruefen")
    fall.complete("Task_MvPruefen", terminAm=missed.isoformat(), einladungMitRfb=True, wichtigerGrund=False,
                  haerte=False)
    assert fall.current()["minderung"]["prozent"] == 10
    assert "Task_MvBescheid" not in fall.tasks()  # no reduction without a hearing (§ 24 SGB X)
    hear_missed_appointment(fall)
    fall.complete("Task_MvBescheid", bescheidAm=fall.today.isoformat())
    [reduction] = fall.current()["minderungen"]
    assert (reduction["prozent"], reduction["monate"], reduction["art"]) == (10, 1, "meldeversaeumnis")
    assert reduction["beginn"] == (fall.today.replace(day=1) + timedelta(days=32)).replace(day=1)
    assert_that(fall).has_open_tasks_exactly("Task_Beratungsgespraech", "Task_MvEinladen")
    # 11.04.2025 + 5 days is Wednesday 16.04 (+7 would be Good Friday, and the appointment would move to 22.04)
    fall.complete("Task_MvEinladen", naechsterKontaktAm=fall.in_days(5), einladungMitRfb=True)
    assert_that(fall).has_open_tasks_exactly("Task_Beratungsgespraech")
    # the session follows the appointment: midnight of 16.04 in Berlin, stored in UTC
    assert fall.task("Task_Beratungsgespraech").follow_up_at.date() == fall.today + timedelta(days=4)


def test_missed_appointment_with_good_reason_has_no_consequence(services: Services) -> None:
    fall = Fall(services)
    fall.message("Meldeversaeumnis")
    fall.complete("Task_MvPruefen", terminAm=fall.today.isoformat(), einladungMitRfb=True, wichtigerGrund=True,
                  grundBeschreibung="Krankenhaus", haerte=False)
    assert fall.current()["minderung"]["folge"] == "keine"
    assert fall.current()["meldeversaeumnisse"] == []
    assert_that(fall).has_open_tasks_exactly("Task_Erstgespraech", "Task_MvEinladen")


def test_first_invitation_to_the_plan_is_a_missed_appointment_under_par_32(services: Services) -> None:
    # no statutory exemption for the first invitation (issue 11); the hearing can still bring out a good reason
    fall = Fall(services)
    fall.message("Meldeversaeumnis")
    fall.complete("Task_MvPruefen", terminAm=fall.today.isoformat(), einladungMitRfb=True, wichtigerGrund=False,
                  haerte=False)
    assert fall.current()["minderung"]["folge"] == "minderung"
    hear_missed_appointment(fall, good_reason=True)
    assert fall.current()["minderung"]["folge"] == "keine"
    assert fall.current()["meldeversaeumnisse"] == []  # the good reason set out in the hearing: not counted
    assert_that(fall).has_open_tasks_exactly("Task_Erstgespraech", "Task_MvEinladen")


def test_repeated_missed_appointments_escalate_to_a_demand_without_plan(services: Services) -> None:
    fall = agreed_plan(services, (90, None), laufzeit="P1M")
    fall.advance("P1M")
    fall.complete("Task_PlanUeberpruefen", ueberpruefung="ok", gespraechsart="praesenz",
                  naechsterKontakt="folgetermin_praesenz", naechsterKontaktAm=fall.today.isoformat())
    for _ in range(2):
        fall.message("Meldeversaeumnis")
        fall.complete("Task_MvPruefen", terminAm=fall.today.isoformat(), einladungMitRfb=True, wichtigerGrund=False,
                      haerte=False)
        hear_missed_appointment(fall)
        fall.complete("Task_MvBescheid", bescheidAm=fall.today.isoformat())
        if "Task_MvEinladen" in fall.tasks():  # the session stays open beside the missed appointment
            fall.complete("Task_MvEinladen", naechsterKontaktAm=(fall.today + timedelta(days=14)).isoformat(),
                          einladungMitRfb=True)
            fall.advance("P14D")
    assert fall.current()["meldeversaeumnisseLetzte12Monate"] == 2
    assert (fall.row.mode, fall.row.mode_reason) == ("fremdbestimmt", "meldepflicht")
    assert_that(fall).has_passed_in_order(
        "Gateway_MvWiederholt", "Task_MvFremdbestimmt", "StartEvent_Af").has_open_tasks_exactly(
        "Task_AfErstellen", "Task_Beratungsgespraech")


# ---------------------------------------------------------------- 9 demand, hearing, decision


def demand(fall: Fall, days: int = 14) -> date:
    deadline = fall.today + timedelta(days=days)
    fall.complete("Task_AfErstellen", rechtsgrundlage="par15abs6", aufforderungSchritt="Bewerbung bei Firma X",
                  aufforderungFrist=deadline.isoformat(), nachweisArt="Kopie der Bewerbung")
    return deadline


def demand_and_fulfil(fall: Fall) -> None:
    demand(fall)
    fall.message("NachweisEingegangen")
    fall.complete("Task_NachweisPruefen", schrittErfuellt=True)


def test_demand_fulfilled_ends_without_consequence(services: Services) -> None:
    fall = Fall(services)
    fall.session("Task_Erstgespraech", ergebnis="beratungsunwillig", kooperationsbereit=False)
    fall.complete("Task_SchritteFestlegen", planDochVereinbart=False, schritte=[
                  {"beschreibung": "Bewerbung", "verantwortlich": "elb",
                   "faellig": (fall.today + timedelta(days=14)).isoformat()}])
    fall.complete("Task_SchlichtungAnbieten", schlichtungGewuenscht=False)  # Bürgergeld: offered first
    demand_and_fulfil(fall)
    assert_that(fall).has_passed_in_order(
        "Event_NachweisEingegangen", "Task_NachweisPruefen", "Gateway_Erfuellt", "Task_AfErledigt",
        "EndEvent_AfErfuellt")
    assert [d["status"] for d in fall.data["aufforderungen"]] == ["erfuellt"]


def test_demand_missed_hearing_no_good_reason_reduction_recorded(services: Services) -> None:
    fall = Fall(services)
    fall.session("Task_Erstgespraech", ergebnis="beratungsunwillig", kooperationsbereit=False)
    fall.complete("Task_SchritteFestlegen", planDochVereinbart=False, schritte=[
                  {"beschreibung": "Bewerbung", "verantwortlich": "elb",
                   "faellig": (fall.today + timedelta(days=14)).isoformat()}])
    fall.complete("Task_SchlichtungAnbieten", schlichtungGewuenscht=False)  # Bürgergeld: offered first
    deadline = demand(fall, days=12)  # 15 March 2025 is a Saturday: the deadline runs to Monday the 17th
    assert deadline == date(2025, 3, 15)
    assert fall.advance("P14D") == 0
    assert fall.advance("P1D") == 1
    assert_that(fall).has_open_tasks_exactly("Task_AnhoerungEinleiten")
    fall.complete("Task_AnhoerungEinleiten", anhoerungFrist=(fall.today + timedelta(days=14)).isoformat(),
                  anhoerungPersoenlich=False)
    fall.message("StellungnahmeEingegangen", text="Keine Zeit gehabt")
    fall.complete("Task_GrundPruefen", wichtigerGrund=False, grundBeschreibung="kein wichtiger Grund", haerte=False)
    decided = fall.current()["minderung"]
    assert (decided["prozent"], decided["monate"], decided["folge"]) == (10, 1, "minderung")
    fall.complete("Task_AfBescheid", bescheidAm=fall.today.isoformat())
    assert_that(fall).has_passed_in_order(
        "Event_AfFrist", "Task_AnhoerungEinleiten", "Event_Stellungnahme", "Task_GrundPruefen",
        "Task_VerstossFeststellen", "Task_AfMinderung", "Gateway_AfFolge", "Task_AfBescheid",
        "Task_AfMinderungErfassen", "EndEvent_AfMinderung", "EndEvent_NachAufforderung")
    data = fall.data  # the cycle ended: the reduction is on the case
    [reduction] = data["minderungen"]
    # the violation date is the moved end of the deadline, Monday 17.03 (§ 26 Abs. 3 SGB X)
    assert (reduction["art"], reduction["prozent"], reduction["verstossAm"]) == (
        "pflichtverletzung", 10, date(2025, 3, 17))
    assert [d["status"] for d in data["aufforderungen"]] == ["minderung"]
    assert fall.row.cycle_count == 2


def test_demand_hearing_with_good_reason_no_reduction(services: Services) -> None:
    fall = Fall(services)
    fall.session("Task_Erstgespraech", ergebnis="beratungsunwillig", kooperationsbereit=False)
    fall.complete("Task_SchritteFestlegen", planDochVereinbart=False, schritte=[
                  {"beschreibung": "Bewerbung", "verantwortlich": "elb",
                   "faellig": (fall.today + timedelta(days=14)).isoformat()}])
    fall.complete("Task_SchlichtungAnbieten", schlichtungGewuenscht=False)  # Bürgergeld: offered first
    demand(fall)
    fall.advance("P16D")
    fall.complete("Task_AnhoerungEinleiten", anhoerungFrist=(fall.today + timedelta(days=7)).isoformat())
    fall.advance("P8D")  # no statement: the hearing's deadline passes
    fall.complete("Task_GrundPruefen", wichtigerGrund=True, grundBeschreibung="Attest", haerte=False)
    assert [d["status"] for d in fall.data["aufforderungen"]] == ["ohne_folge"]
    assert_that(fall).has_passed_in_order(
        "Event_AnhoerungFrist", "Task_GrundPruefen", "Gateway_AfFolge", "Task_AfOhneFolge",
        "EndEvent_AfKeineMinderung")
    assert fall.data["minderungen"] == []


def test_repeated_breach_within_a_year_is_20_percent(services: Services) -> None:
    fall = Fall(services, minderungen=[{
        "art": "pflichtverletzung", "verstossAm": date(2024, 12, 1), "bescheidAm": date(2024, 12, 10),
        "beginn": date(2025, 1, 1), "ende": date(2025, 1, 31), "monate": 1, "prozentLautTabelle": 10,
        "prozent": 10, "begruendung": "früher"}])
    fall.session("Task_Erstgespraech", ergebnis="beratungsunwillig", kooperationsbereit=False)
    fall.complete("Task_SchritteFestlegen", planDochVereinbart=False, schritte=[
                  {"beschreibung": "Bewerbung", "verantwortlich": "elb",
                   "faellig": (fall.today + timedelta(days=14)).isoformat()}])
    fall.complete("Task_SchlichtungAnbieten", schlichtungGewuenscht=False)  # Bürgergeld: offered first
    demand(fall)
    fall.advance("P16D")
    fall.complete("Task_AnhoerungEinleiten", anhoerungFrist=(fall.today + timedelta(days=7)).isoformat())
    fall.advance("P8D")
    fall.complete("Task_GrundPruefen", wichtigerGrund=False, haerte=False)
    assert fall.current()["fruehereMinderungen"] == 1
    assert (fall.current()["minderung"]["prozent"], fall.current()["minderung"]["monate"]) == (20, 2)


# ---------------------------------------------------------------- 10 priorities and contact density


@pytest.mark.parametrize(("answers", "group", "interval"), [
    ({"integrationsnah": True}, 2, 14),
    ({}, 3, 28),
    ({"kooperationsbereit": False}, 4, 42),
    ({"erwerbsminderungPruefung": True}, 5, 90),
    ({"ohneVeraenderungsperspektive": True}, 6, 180),
])
def test_priority_group_and_contact_density_from_the_session(services: Services, answers: dict[str, object],
                                                             group: int, interval: int) -> None:
    fall = Fall(services)
    fall.session("Task_Erstgespraech", **answers)
    assert (fall.row.priority_group, fall.row.contact_interval_days) == (group, interval)
    assert fall.current()["kontaktdichte"]["kontaktAbstandTage"] == interval
