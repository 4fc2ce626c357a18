"""The calendar page: a counsellor's day and week with free slots and the sessions held against the target,
booking a free slot for a case, team leads choosing a team member; refusals change nothing."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient

from engine.queries import agenda as queries
from tests.integration.conftest import PASSWORD, Office
from web import create_app

WEDNESDAY = date(2025, 3, 5)


def new_case(office: Office) -> int:
    """Anna's new client 901A123456 with the first session on Wednesday 09:00."""
    return office.cases.intake(office.member("anna"), "901A123456", first_session=office.at(WEDNESDAY, 9))


def signed_in(office: Office, username: str, *, csrf: bool = False) -> FlaskClient:
    app = create_app(office.services, {"SESSION_COOKIE_SECURE": False, "WTF_CSRF_ENABLED": csrf})
    client = app.test_client()
    client.post("/anmelden", data={"benutzer": username, "passwort": PASSWORD})
    return client


def test_the_week_shows_appointments_free_slots_and_the_sessions_against_the_target(office: Office) -> None:
    new_case(office)
    page = signed_in(office, "anna").get("/kalender?tag=2025-03-05&ansicht=woche")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Montag, 03.03.2025" in text and "Freitag, 07.03.2025" in text
    assert "09:00–09:45" in text and "901A123456" in text and "Erstgespräch" in text
    assert "08:00 frei – buchen" in text
    assert "<strong>0</strong>\n  von 20" in text


def test_holidays_are_no_working_days(office: Office) -> None:
    text = signed_in(office, "anna").get("/kalender?tag=2025-04-18&ansicht=tag").get_data(as_text=True)
    assert "Freitag, 18.04.2025" in text and "Kein Arbeitstag" in text and "frei – buchen" not in text


def test_booking_a_free_slot_for_a_case_by_customer_number(office: Office) -> None:
    case_id = new_case(office)
    client = signed_in(office, "anna")
    form = client.get("/kalender/buchen?ifk=anna&beginn=2025-03-06T10:30:00%2B01:00")
    assert form.status_code == 200 and "Termin buchen" in form.get_data(as_text=True)
    done = client.post("/kalender/buchen", data={"ifk": "anna", "beginn": "2025-03-06T10:30:00+01:00",
                                                 "kundennummer": "901a123456", "art": "telefon",
                                                 "zweck": "Unterlagen besprechen"})
    assert done.status_code == 302 and "tag=2025-03-06" in done.headers["Location"]
    booked = [row for row in queries.case_agenda(office.services, case_id).appointments
              if row.purpose == "Unterlagen besprechen"]
    assert [(row.kind, row.starts_at) for row in booked] == [("telefon", office.at(date(2025, 3, 6), 10, 30))]


def test_refused_bookings_say_why_and_change_nothing(office: Office) -> None:
    case_id = new_case(office)
    client = signed_in(office, "anna")
    before = queries.case_agenda(office.services, case_id).appointments
    unknown = client.post("/kalender/buchen", data={"ifk": "anna", "beginn": "2025-03-06T10:30:00+01:00",
                                                    "kundennummer": "999Z999999", "zweck": "x"})
    assert unknown.status_code == 422
    assert "Einen Fall mit dieser Kundennummer gibt es in Ihrem Team nicht." in unknown.get_data(as_text=True)
    taken = client.post("/kalender/buchen", data={"ifk": "anna", "beginn": "2025-03-05T09:00:00+01:00",
                                                  "fall": str(case_id), "zweck": "doppelt"})
    assert taken.status_code == 422 and "fehlertext" in taken.get_data(as_text=True)
    assert queries.case_agenda(office.services, case_id).appointments == before


def test_team_leads_choose_a_member_counsellors_see_only_their_own(office: Office) -> None:
    lead = signed_in(office, "tina").get("/kalender?ifk=bert")
    assert lead.status_code == 200 and "<small>Bert</small>" in lead.get_data(as_text=True)
    assert signed_in(office, "anna").get("/kalender?ifk=bert").status_code == 403
    assert signed_in(office, "tina").get("/kalender?ifk=sven").status_code == 403  # another team


def test_a_bad_day_is_said_and_today_shown(office: Office) -> None:
    client = signed_in(office, "anna")
    page = client.get("/kalender?tag=0001-01-01")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Der Kalender reicht 2 Jahre zurück und voraus" in text
    assert "Montag, 03.03.2025" in text
    assert "ist kein Datum" in client.get("/kalender?tag=morgen").get_data(as_text=True)


def test_booking_needs_the_csrf_token(office: Office) -> None:
    client = signed_in(office, "anna", csrf=True)
    refused = client.post("/kalender/buchen", data={"ifk": "anna", "beginn": "2025-03-06T10:30:00+01:00",
                                                    "kundennummer": "901A123456", "zweck": "x"})
    assert refused.status_code == 400


def test_intake_from_a_free_slot_books_the_first_session(office: Office) -> None:
    client = signed_in(office, "anna")
    form = client.get("/faelle/neu?beginn=2025-03-05T09:00:00%2B01:00").get_data(as_text=True)
    assert 'value="2025-03-05"' in form and 'value="09:00"' in form
    refused = client.post("/faelle/neu", data={"kundennummer": "12345", "tag": "2025-03-05", "uhrzeit": "09:00"})
    assert refused.status_code == 422
    assert "drei Ziffern, einen Buchstaben und sechs Ziffern" in refused.get_data(as_text=True)
    assert queries.find_cases(office.services, office.member("anna"), "12345") == []
    done = client.post("/faelle/neu", data={"kundennummer": "901a123456", "tag": "2025-03-05", "uhrzeit": "09:00"})
    assert done.status_code == 302
    [hit] = queries.find_cases(office.services, office.member("anna"), "901A123456")
    assert done.headers["Location"] == f"/faelle/{hit.id}"
    [first] = queries.case_agenda(office.services, hit.id).appointments
    assert (first.starts_at, first.purpose) == (office.at(WEDNESDAY, 9), "Erstgespräch")
    again = client.post("/faelle/neu", data={"kundennummer": "901A123456", "tag": "2025-03-06", "uhrzeit": "09:00"})
    assert again.status_code == 422 and "bereits einen Fall" in again.get_data(as_text=True)


def test_a_missed_appointment_from_the_case_file_starts_the_meldeversaeumnis(office: Office) -> None:
    case_id = new_case(office)
    client = signed_in(office, "anna")
    [first] = queries.case_agenda(office.services, case_id).appointments
    early = client.post(f"/termine/{first.id}/versaeumt", data={"fall": case_id}, follow_redirects=True)
    assert "noch bevorsteht" in early.get_data(as_text=True)
    assert [task.element_id for task in office.services.open_tasks(case_id)] == ["Task_Erstgespraech"]
    office.clock.advance("P2DT3H")  # Wednesday 10:00, the client did not come
    page = client.get(f"/faelle/{case_id}").get_data(as_text=True)
    assert "Nicht erschienen" in page
    done = client.post(f"/termine/{first.id}/versaeumt", data={"fall": case_id}, follow_redirects=True)
    assert "Termin als versäumt erfasst" in done.get_data(as_text=True)
    assert sorted(task.element_id for task in office.services.open_tasks(case_id)) == [
        "Task_Erstgespraech", "Task_MvPruefen"]
    assert "Meldeversäumnis prüfen" in client.get("/eingang").get_data(as_text=True)


def test_a_wiedervorlage_from_the_case_file_comes_back_today_in_the_inbox(office: Office) -> None:
    case_id = new_case(office)
    client = signed_in(office, "anna")
    refused = client.post(f"/faelle/{case_id}/wiedervorlagen", data={"am": "2000-01-01", "grund": "x"},
                          follow_redirects=True)
    assert "darf nicht in der Vergangenheit liegen" in refused.get_data(as_text=True)
    client.post(f"/faelle/{case_id}/wiedervorlagen", data={"am": "2025-03-04", "grund": "Nachweis Kita-Platz"})
    assert "Nachweis Kita-Platz" not in client.get("/eingang").get_data(as_text=True).split("Keine fälligen")[0]
    office.clock.advance("P1D")
    inbox = client.get("/eingang").get_data(as_text=True)
    assert "Wiedervorlage 04.03.2025" in inbox and "Nachweis Kita-Platz" in inbox
    [follow_up] = queries.case_agenda(office.services, case_id).follow_ups
    client.post(f"/wiedervorlagen/{follow_up.id}/erledigt")
    assert "Keine fälligen Wiedervorlagen." in client.get("/eingang").get_data(as_text=True)


def test_a_broken_slot_link_is_said_in_german_and_books_nothing(office: Office) -> None:
    case_id = new_case(office)
    client = signed_in(office, "anna")
    before = queries.case_agenda(office.services, case_id).appointments
    page = client.post("/kalender/buchen", data={"ifk": "anna", "beginn": "morgen früh", "fall": str(case_id),
                                                 "zweck": "x"}, follow_redirects=True)
    assert page.status_code == 200 and "»morgen früh« ist kein Zeitpunkt" in page.get_data(as_text=True)
    assert queries.case_agenda(office.services, case_id).appointments == before
