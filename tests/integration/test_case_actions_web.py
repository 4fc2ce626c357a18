"""The case file as the place to act: events from outside, other contacts, handover, closing and reopening,
search by customer number, the session form's default from the contact density and the notes after a form.
Each through the real commands; a refusal shows its German message and changes nothing."""

from __future__ import annotations

from datetime import timedelta

from engine.domain.agenda import CANCELLED
from engine.domain.workdays import next_working_day
from engine.queries import agenda as queries
from engine.queries import weekly_figures
from engine.runtime.clock import week_start_of
from tests.integration.conftest import Office
from tests.integration.test_calendar_web import new_case, signed_in


def demand_case(office: Office) -> int:
    """A case whose unwilling client got a demand without a plan: it waits for the proof."""
    case_id = new_case(office)
    office.first_session(case_id, ergebnis="beratungsunwillig", kooperationsbereit=False,
                         naechsterKontakt="wiedervorlage")
    tasks = {task.element_id: task for task in office.services.open_tasks(case_id)}
    office.services.complete_task(tasks["Task_SchritteFestlegen"].id, {"planDochVereinbart": False, "schritte": [
        {"beschreibung": "Bewerbung bei Firma X", "verantwortlich": "elb", "faellig": "2025-03-20"}]}, actor="anna")
    tasks = {task.element_id: task for task in office.services.open_tasks(case_id)}
    office.services.complete_task(tasks["Task_SchlichtungAnbieten"].id, {"schlichtungGewuenscht": False},
                                  actor="anna")
    tasks = {task.element_id: task for task in office.services.open_tasks(case_id)}
    office.services.complete_task(tasks["Task_AfErstellen"].id, {
        "rechtsgrundlage": "par15abs6", "aufforderungSchritt": "Bewerbung bei Firma X",
        "nachweisArt": "Kopie", "aufforderungFrist": "2025-03-20"}, actor="anna")
    return case_id


def test_an_incoming_proof_is_offered_only_while_the_case_waits_for_it(office: Office) -> None:
    case_id = demand_case(office)
    client = signed_in(office, "anna")
    page = client.get(f"/faelle/{case_id}").get_data(as_text=True)
    assert '<option value="NachweisEingegangen">Nachweis eingegangen</option>' in page
    assert '<option value="StellungnahmeEingegangen"' not in page
    refused = client.post(f"/faelle/{case_id}/ereignis", data={"ereignis": "SchlichtungBeendet"},
                          follow_redirects=True)
    assert "wartet gerade nicht auf die Nachricht »SchlichtungBeendet«" in refused.get_data(as_text=True)
    done = client.post(f"/faelle/{case_id}/ereignis", data={"ereignis": "NachweisEingegangen"}, follow_redirects=True)
    assert "»Nachweis eingegangen« erfasst." in done.get_data(as_text=True)
    assert "Task_NachweisPruefen" in {task.element_id for task in office.services.open_tasks(case_id)}


def test_a_contact_is_kept_and_not_counted_as_a_session(office: Office) -> None:
    case_id = new_case(office)
    client = signed_in(office, "anna")
    refused = client.post(f"/faelle/{case_id}/kontakte", data={"art": "fax", "notiz": "x"}, follow_redirects=True)
    assert "Ungültige Auswahl" in refused.get_data(as_text=True)
    assert queries.case_agenda(office.services, case_id).contacts == []
    client.post(f"/faelle/{case_id}/kontakte", data={"art": "email", "notiz": "Lebenslauf geschickt"})
    [kept] = queries.case_agenda(office.services, case_id).contacts
    assert (kept.kind, kept.note, kept.counsellor) == ("email", "Lebenslauf geschickt", "anna")
    assert "Lebenslauf geschickt" in client.get(f"/faelle/{case_id}").get_data(as_text=True)


def test_handover_close_reopen_from_the_case_file(office: Office) -> None:
    case_id = new_case(office)
    anna, bert, lead = signed_in(office, "anna"), signed_in(office, "bert"), signed_in(office, "tina")
    refused = bert.post(f"/faelle/{case_id}/uebergabe", data={"an": "bert", "grund": "Übernahme"})
    assert refused.status_code == 403 and office.services.case(case_id).counsellor == "anna"
    assert "Fälle von Kolleginnen und Kollegen übergibt die Teamleitung." in bert.get(f"/faelle/{case_id}").get_data(
        as_text=True)
    no_reason = anna.post(f"/faelle/{case_id}/uebergabe", data={"an": "bert", "grund": ""})
    assert no_reason.status_code == 422 and office.services.case(case_id).counsellor == "anna"
    assert '<details id="aktion-uebergabe" open>' in no_reason.get_data(as_text=True)
    assert "Bitte den Grund der Übergabe angeben" in no_reason.get_data(as_text=True)
    anna.post(f"/faelle/{case_id}/uebergabe", data={"an": "bert", "grund": "Urlaubsvertretung"})  # her own case
    assert office.services.case(case_id).counsellor == "bert"
    lead.post(f"/faelle/{case_id}/uebergabe", data={"an": "anna", "grund": "Rückkehr aus dem Urlaub"})
    assert office.services.case(case_id).counsellor == "anna"  # the team lead reassigns any case
    lead.post(f"/faelle/{case_id}/schliessen", data={"grund": "integriert"})
    page = lead.get(f"/faelle/{case_id}").get_data(as_text=True)
    assert "Der Fall ist geschlossen (Integration in Arbeit oder Ausbildung)." in page
    assert [row.status for row in queries.case_agenda(office.services, case_id).appointments] == [CANCELLED]
    assert office.services.open_tasks(case_id) == []
    lead.post(f"/faelle/{case_id}/wiedereroeffnen")
    assert office.services.case(case_id).status == "aktiv"
    assert [task.element_id for task in office.services.open_tasks(case_id)] == ["Task_Erstgespraech"]


def test_search_by_customer_number_in_the_own_team(office: Office) -> None:
    case_id = new_case(office)
    client = signed_in(office, "anna")
    assert client.get("/faelle/suche?q=901a123456").headers["Location"] == f"/faelle/{case_id}"
    listed = client.get("/faelle/suche?q=901").get_data(as_text=True)
    assert "901A123456" in listed
    other_team = signed_in(office, "sven").get("/faelle/suche?q=901A123456").get_data(as_text=True)
    assert "Kein Fall Ihres Teams beginnt mit" in other_team


def test_the_next_contact_date_defaults_to_the_contact_density(office: Office) -> None:
    case_id = new_case(office)
    office.first_session(case_id)  # plan agreed
    [plan] = office.services.open_tasks(case_id)
    office.services.complete_task(plan.id, {"planZiel": "Arbeit im Verkauf", "planLaufzeit": "P1M", "schritte": [
        {"beschreibung": "Bewerbung", "verantwortlich": "elb", "faellig": "2025-03-28"}]}, actor="anna")
    office.clock.advance("P1M")
    office.services.fire_due_timers()
    review = next(task for task in office.services.open_tasks(case_id)
                  if task.element_id == "Task_PlanUeberpruefen")
    interval = office.services.current_data(case_id)["kontaktdichte"]["kontaktAbstandTage"]
    expected = next_working_day(office.services.clock.today() + timedelta(days=interval))
    page = signed_in(office, "anna").get(f"/aufgaben/{review.id}").get_data(as_text=True)
    assert f'value="{expected.isoformat()}"' in page


def test_a_completed_session_form_says_where_the_appointment_went(office: Office) -> None:
    case_id = new_case(office)
    [task] = office.services.open_tasks(case_id)
    form = {"gespraechsart": "praesenz", "ergebnis": "kein_plan", "kooperationsbereit": "true",
            "ausnahme": "keine", "naechsterKontakt": "folgetermin_praesenz", "naechsterKontaktAm": "2025-03-19",
            "ausgangssituation": "Helferin", "potenzialanalyse": "Verkauf"}
    done = signed_in(office, "anna").post(f"/aufgaben/{task.id}", data=form, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "»Erstgespräch in Präsenz führen« erledigt." in text
    assert "Termin am 19.03.2025 08:00 Uhr im Kalender eingetragen." in text  # the note on the Folgetermin


def test_a_case_past_its_contact_interval_shows_in_the_inbox_and_the_weekly_figures(office: Office) -> None:
    case_id = new_case(office)
    office.clock.advance("P2DT2H")  # Wednesday 10:00: the first session is held
    office.first_session(case_id, naechsterKontakt="wiedervorlage", naechsterKontaktAm="2025-04-30")
    due = office.services.case(case_id).contact_due_on
    assert due is not None
    client = signed_in(office, "anna")
    assert "Kontakt überfällig" not in client.get("/eingang").get_data(as_text=True)
    office.clock.advance(timedelta(days=(due - office.services.clock.today()).days + 1))
    inbox = client.get("/eingang").get_data(as_text=True)
    assert "Kontakt überfällig (nach Kontaktdichte)" in inbox and f"fällig seit {due:%d.%m.%Y}" in inbox
    figures = weekly_figures(office.services, "nord", week_start_of(office.services.clock.today()))
    assert {row.username: row.contact_overdue for row in figures.rows}["anna"] == 1
    assert figures.total.contact_overdue == 1


def test_the_plan_form_opens_with_the_steps_already_set(office: Office) -> None:
    case_id = new_case(office)
    office.first_session(case_id, ergebnis="beratungsunfaehig", kooperationsbereit=True)
    [steps] = office.services.open_tasks(case_id)
    office.services.complete_task(steps.id, {"planDochVereinbart": True, "schritte": [
        {"beschreibung": "Sprachkurs B1 besuchen", "verantwortlich": "elb", "faellig": "2025-04-30"}]}, actor="anna")
    plan = next(task for task in office.services.open_tasks(case_id) if task.element_id == "Task_Kooperationsplan")
    page = signed_in(office, "anna").get(f"/aufgaben/{plan.id}").get_data(as_text=True)
    assert 'value="Sprachkurs B1 besuchen"' in page and 'value="2025-04-30"' in page
