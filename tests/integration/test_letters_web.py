"""Letters in the case file (issue 11): HTML preview and PDF of the demand with its RFB; recording it as sent
puts its content hash and the data it was made from into the event log."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pypdf
from sqlalchemy import select

from engine.queries import agenda as queries
from engine.queries import case_file
from engine.runtime.store import Event
from engine.workplace.commands import Workplace
from engine.workplace.letters import Letters
from tests.integration.conftest import Office
from tests.integration.test_calendar_web import new_case, signed_in
from tests.integration.test_case_actions_web import demand_case


def test_the_demand_letter_is_previewed_printed_and_recorded_as_sent(office: Office) -> None:
    case_id = demand_case(office)
    client = signed_in(office, "anna")
    overview = client.get(f"/faelle/{case_id}/schreiben").get_data(as_text=True)
    assert "Aufforderung 1: Bewerbung bei Firma X, Frist 20.03.2025" in overview
    preview = client.get(f"/faelle/{case_id}/schreiben/aufforderung/1")
    assert preview.status_code == 200
    text = preview.get_data(as_text=True)
    assert "Rechtsfolgenbelehrung" in text and "56,30 €" in text and "sandbox" in text
    pdf = client.get(f"/faelle/{case_id}/schreiben/aufforderung/1.pdf")
    assert pdf.mimetype == "application/pdf"
    words = " ".join(pypdf.PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text().split())
    assert "Bewerbung bei Firma X" in words and "20.03.2025" in words and "10 % des Regelbedarfs" in words
    assert client.post(f"/faelle/{case_id}/schreiben/aufforderung/1/versandt").status_code == 302
    with office.services.reading() as session:
        [record] = session.scalars(select(Event.data).where(Event.case_id == case_id,
                                                            Event.kind == "schreiben_versandt")).all()
    assert record["art"] == "aufforderung" and record["nr"] == 1 and len(record["sha256"]) == 64
    assert record["daten"]["schritt"] == "Bewerbung bei Firma X"


def test_a_letter_the_case_does_not_have_is_a_german_404(office: Office) -> None:
    case_id = demand_case(office)
    page = signed_in(office, "anna").get(f"/faelle/{case_id}/schreiben/minderungsbescheid/1")
    assert page.status_code == 404 and "Dieses Schreiben gibt es in diesem Fall nicht." in page.get_data(as_text=True)


def test_each_planned_appointment_has_its_invitation_letter(office: Office) -> None:
    # the new case has its Erstgespräch booked, without RFB (§ 59 SGB II with § 309 SGB III: purpose, date, place)
    case_id = new_case(office)
    client = signed_in(office, "anna")
    overview = client.get(f"/faelle/{case_id}/schreiben").get_data(as_text=True)
    assert "Einladung zum" in overview and "ohne Rechtsfolgenbelehrung" in overview
    [nr] = [letter.nr for letter in Letters(Workplace(office.services)).of_case(
        office.member("anna"), case_id) if letter.kind == "einladung"]
    pdf = client.get(f"/faelle/{case_id}/schreiben/einladung/{nr}.pdf")
    words = " ".join(pypdf.PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text().split())
    assert "Erstgespräch" in words and "§ 309 SGB III" in words and "Rechtsfolgenbelehrung" not in words


def test_the_regime_comes_from_the_deployed_decision_rechtskreis(office: Office) -> None:
    regime_on = Letters(Workplace(office.services)).regime_on()
    assert regime_on(date(2026, 6, 30)) == "buergergeld"
    assert regime_on(date(2026, 7, 1)) == "neue_grundsicherung"


def test_the_hearing_letter_names_the_intended_reduction_and_the_deadline(office: Office) -> None:
    case_id = demand_case(office)  # deadline Thursday 20.03.2025; the timer fires on the 21st
    office.clock.set(datetime(2025, 3, 21, 9, 0, tzinfo=UTC))
    office.services.fire_due_timers()
    [hearing] = [task for task in office.services.open_tasks(case_id) if task.element_id == "Task_AnhoerungEinleiten"]
    office.services.complete_task(hearing.id, {"anhoerungFrist": "2025-04-04", "anhoerungPersoenlich": True},
                                  actor="anna")
    pdf = signed_in(office, "anna").get(f"/faelle/{case_id}/schreiben/anhoerung/1.pdf")
    words = " ".join(pypdf.PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text().split())
    for required in ("§ 24 SGB X", "04.04.2025", "20.03.2025", "Bewerbung bei Firma X", "10 % des Regelbedarfs",
                     "56,30 €", "einen Monat", "persönlich"):
        assert required in words


def test_a_missed_appointment_whose_sent_invitation_had_no_rfb_is_not_reduced(office: Office) -> None:
    # § 32 Abs. 1 SGB II: the invitation letter recorded as sent proves what the client was told; it had no RFB,
    # so the counsellor's tick "Einladung mit Rechtsfolgenbelehrung" does not make it one
    anna = office.member("anna")
    case_id = office.cases.intake(anna, "901A000011", first_session=office.at(date(2025, 3, 5), 9))
    [appointment] = queries.case_agenda(office.services, case_id).appointments
    Letters(Workplace(office.services)).send(anna, case_id, "einladung", appointment.id)
    office.clock.set(datetime(2025, 3, 5, 10, 0, tzinfo=UTC))
    office.agenda.record_missed(anna, appointment.id)
    [check] = [task for task in office.services.open_tasks(case_id) if task.element_id == "Task_MvPruefen"]
    office.services.complete_task(check.id, {"terminAm": "2025-03-05", "einladungMitRfb": True,
                                             "wichtigerGrund": False, "haerte": False}, actor="anna")
    data = case_file(office.services, case_id).data
    assert data["rfbErteilt"] is False and "beginn" in data["rfbFehlt"]
    assert data["minderung"]["folge"] == "keine"
