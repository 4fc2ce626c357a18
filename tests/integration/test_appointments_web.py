"""Appointments acted on in the browser: booking from the case file (the proposal by the contact density, in
person where the concept wants it), moving, cancelling, recording a session held; refusals shown in place with
their German message and nothing changed; CSRF; no statement per appointment on the calendar and case file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import event

from engine.domain.agenda import CANCELLED, HELD, PLANNED
from engine.queries import agenda as queries
from engine.queries.appointments import booking_proposal, in_person_reason
from tests.integration.conftest import Office
from tests.integration.test_calendar_web import new_case, signed_in

WEDNESDAY, THURSDAY = date(2025, 3, 5), date(2025, 3, 6)


def appointments(office: Office, case_id: int) -> list[tuple[datetime, str, str | None]]:
    return [(row.starts_at, row.status, row.cancelled_by)
            for row in queries.case_agenda(office.services, case_id).appointments]


def plan_running(office: Office) -> int:
    """Anna's case after the first session (Wednesday) and an agreed plan: no session task is open."""
    case_id = new_case(office)
    office.clock.set(datetime(2025, 3, 5, 7, 50, tzinfo=UTC))
    office.first_session(case_id, naechsterKontakt="wiedervorlage", naechsterKontaktAm="2025-03-12")
    office.agreed_plan(case_id)
    return case_id


def test_the_case_file_proposes_an_appointment_in_person_in_the_start_phase(office: Office) -> None:
    case_id = new_case(office)
    page = signed_in(office, "anna").get(f"/faelle/{case_id}").get_data(as_text=True)
    assert 'id="termin-tag" required value="2025-03-03"' in page  # due now: the first free slot from today
    assert 'id="termin-uhrzeit" step="900" required value="08:00"' in page  # it is Monday 08:00
    assert '<option value="praesenz" selected>' in page and "In Präsenz vorgewählt: Anfangsphase." in page


def test_in_person_follows_the_concept() -> None:
    assert in_person_reason(True, None, False) == "Anfangsphase"
    assert in_person_reason(False, "nicht_kooperationsbereit", False) == "nicht kooperationsbereit"
    assert in_person_reason(False, "kein_plan", True) == "Termin in den letzten zwölf Monaten versäumt"
    assert in_person_reason(False, None, False) is None


def test_after_the_start_phase_the_proposal_follows_the_density_and_the_agreed_kind(office: Office) -> None:
    case_id = plan_running(office)
    case = office.services.case(case_id)
    proposal = booking_proposal(office.services, case_id)
    assert proposal.in_person_because is None and proposal.kind == "praesenz"  # agreed: a Wiedervorlage
    assert proposal.starts_at is not None and proposal.starts_at.date() >= (case.contact_due_on or WEDNESDAY)


def test_booking_from_the_case_file_and_refusals_in_place(office: Office) -> None:
    case_id = new_case(office)
    client = signed_in(office, "anna")
    before = appointments(office, case_id)
    for form, message in (
            ({"tag": "2025-03-08", "uhrzeit": "10:00"}, "Der 08.03.2025 ist kein Arbeitstag"),
            ({"tag": "2025-03-05", "uhrzeit": "09:00"}, "Um 05.03.2025 09:00 Uhr ist bereits ein Termin."),
            ({"tag": "2025-03-03", "uhrzeit": "07:00"}, "Ein Termin kann nicht in der Vergangenheit liegen."),
            ({"tag": "0001-01-01", "uhrzeit": "10:00"}, "Ein Termin kann nicht in der Vergangenheit liegen."),
            ({"tag": "2027-01-04", "uhrzeit": "10:00"}, "höchstens ein Jahr im Voraus"),
            ({"tag": "", "uhrzeit": "10:00"}, "Bitte ein gültiges Datum angeben."),
            ({"tag": "2025-03-06", "uhrzeit": "10:00", "zweck": " "}, "Bitte den Zweck des Termins angeben.")):
        refused = client.post(f"/faelle/{case_id}/termine", data={"art": "praesenz", "zweck": "Bewerbung", **form})
        text = refused.get_data(as_text=True)
        assert refused.status_code == 422 and message in text, (form, text[:200])
        assert 'class="fehlertext" role="alert"' in text
        assert appointments(office, case_id) == before
    done = client.post(f"/faelle/{case_id}/termine", data={"tag": "2025-03-06", "uhrzeit": "10:30", "art": "telefon",
                                                           "zweck": "Unterlagen", "rfb": "ja"})
    assert done.status_code == 302 and done.headers["Location"] == f"/faelle/{case_id}"
    booked = [row for row in queries.case_agenda(office.services, case_id).appointments
              if row.purpose == "Unterlagen"]
    assert [(row.starts_at, row.kind, row.with_rfb) for row in booked] == [
        (office.at(THURSDAY, 10, 30), "telefon", True)]
    assert "Termin am 06.03.2025 10:30 gebucht." in client.get(f"/faelle/{case_id}").get_data(as_text=True)


def test_moving_an_appointment(office: Office) -> None:
    case_id = new_case(office)
    [first] = queries.case_agenda(office.services, case_id).appointments
    client = signed_in(office, "anna")
    page = client.get(f"/termine/{first.id}").get_data(as_text=True)
    assert "Frei am selben Tag:" in page and ">08:45</button>" in page  # its own time does not block it
    other = office.cases.intake(office.member("anna"), "901A654321",
                                    first_session=office.at(THURSDAY, 11))
    for form, message in (
            ({"tag": "2025-03-06", "uhrzeit": "11:15"}, "Um 06.03.2025 11:00 Uhr ist bereits ein Termin."),
            ({"tag": "2025-04-18", "uhrzeit": "09:00"}, "ist kein Arbeitstag"),
            ({"tag": "2025-03-06", "uhrzeit": "neun"}, "Bitte eine Uhrzeit angeben")):
        refused = client.post(f"/termine/{first.id}/verschieben", data=form)
        assert refused.status_code == 422 and message in refused.get_data(as_text=True)
        assert appointments(office, case_id) == [(office.at(WEDNESDAY, 9), PLANNED, None)]
    # another day: the calendar offers its free slots as targets, the page opens with the slot chosen
    week = client.get(f"/kalender?tag=2025-03-06&ansicht=tag&termin={first.id}").get_data(as_text=True)
    assert "10:15 frei – hierhin verschieben" in week and "frei – buchen" not in week
    chosen = client.get(f"/termine/{first.id}?tag=2025-03-06&uhrzeit=10:15").get_data(as_text=True)
    assert 'value="2025-03-06"' in chosen and 'value="10:15"' in chosen
    done = client.post(f"/termine/{first.id}/verschieben", data={"tag": "2025-03-06", "uhrzeit": "10:15"})
    assert done.status_code == 302 and done.headers["Location"] == f"/faelle/{case_id}"
    assert appointments(office, case_id) == [(office.at(THURSDAY, 10, 15), PLANNED, None)]
    assert [row.starts_at for row in queries.case_agenda(office.services, other).appointments] == [
        office.at(THURSDAY, 11)]


def test_cancelling_says_who_cancelled(office: Office) -> None:
    case_id = new_case(office)
    [first] = queries.case_agenda(office.services, case_id).appointments
    client = signed_in(office, "anna")
    refused = client.post(f"/termine/{first.id}/absagen", data={})
    assert refused.status_code == 422
    assert "Bitte angeben, wer den Termin abgesagt hat" in refused.get_data(as_text=True)
    assert appointments(office, case_id) == [(office.at(WEDNESDAY, 9), PLANNED, None)]
    back = "/kalender?tag=2025-03-05&ansicht=tag"
    done = client.post(f"/termine/{first.id}/absagen", data={"von": "elb", "zurueck": back})
    assert done.status_code == 302 and done.headers["Location"] == back
    assert appointments(office, case_id) == [(office.at(WEDNESDAY, 9), CANCELLED, "elb")]
    calendar = client.get(back).get_data(as_text=True)
    assert "abgesagt</span> (von der eLb abgesagt)" in calendar and "08:45 frei – buchen" in calendar
    page = client.get(f"/termine/{first.id}").get_data(as_text=True)
    assert "nicht mehr geplant" in page and "Termin absagen" not in page
    again = client.post(f"/termine/{first.id}/absagen", data={"von": "jobcenter"})
    assert again.status_code == 422 and "nicht mehr geplant" in again.get_data(as_text=True)
    assert appointments(office, case_id) == [(office.at(WEDNESDAY, 9), CANCELLED, "elb")]


def test_a_session_held_outside_a_session_task(office: Office) -> None:
    case_id = plan_running(office)
    anna = office.member("anna")
    appointment = office.agenda.book(anna, case_id, starts_at=office.at(date(2025, 3, 20), 10),
                                         kind="praesenz", purpose="Zwischengespräch", with_rfb=False)
    client = signed_in(office, "anna")
    assert "Ein Gespräch wird am Tag des Termins erfasst" in client.get(f"/termine/{appointment}").get_data(
        as_text=True)
    office.clock.set(datetime(2025, 3, 20, 9, 30, tzinfo=UTC))
    page = client.get(f"/termine/{appointment}").get_data(as_text=True)
    assert "Gespräch erfassen" in page and "Vorgeschlagen nach der Kontaktdichte" in page
    before = appointments(office, case_id)
    refused = client.post(f"/termine/{appointment}/wahrgenommen", data={
        "gespraechsart": "praesenz", "notiz": "", "naechsterKontakt": "folgetermin_telefon",
        "naechsterKontaktAm": "2025-04-03"})
    assert refused.status_code == 422 and "Bitte festhalten, was besprochen wurde." in refused.get_data(as_text=True)
    past = client.post(f"/termine/{appointment}/wahrgenommen", data={
        "gespraechsart": "praesenz", "notiz": "Stand besprochen", "naechsterKontakt": "folgetermin_telefon",
        "naechsterKontaktAm": "2025-03-01"})
    assert past.status_code == 422 and "darf nicht in der Vergangenheit liegen" in past.get_data(as_text=True)
    assert 'value="Stand besprochen"' in past.get_data(as_text=True) or "Stand besprochen</textarea>" in \
        past.get_data(as_text=True)
    assert appointments(office, case_id) == before
    assert queries.calendar(office.services, "anna", date(2025, 3, 17), days=5).sessions_held == 0
    done = client.post(f"/termine/{appointment}/wahrgenommen", data={
        "gespraechsart": "praesenz", "notiz": "Stand besprochen", "naechsterKontakt": "folgetermin_telefon",
        "naechsterKontaktAm": "2025-04-03"})
    assert done.status_code == 302
    rows = queries.case_agenda(office.services, case_id).appointments
    assert [(row.starts_at.date(), row.status, row.kind) for row in rows][:2] == [
        (date(2025, 4, 3), PLANNED, "telefon"), (date(2025, 3, 20), HELD, "praesenz")]
    assert queries.calendar(office.services, "anna", date(2025, 3, 17), days=5).sessions_held == 1


def test_while_a_session_task_is_open_the_session_is_recorded_in_the_task(office: Office) -> None:
    case_id = new_case(office)
    [first] = queries.case_agenda(office.services, case_id).appointments
    office.clock.set(datetime(2025, 3, 5, 8, 10, tzinfo=UTC))
    client = signed_in(office, "anna")
    [task] = office.services.open_tasks(case_id)
    page = client.get(f"/termine/{first.id}").get_data(as_text=True)
    assert f'href="/aufgaben/{task.id}">Erstgespräch in Präsenz führen</a>' in page
    refused = client.post(f"/termine/{first.id}/wahrgenommen", data={"gespraechsart": "praesenz", "notiz": "x"})
    assert refused.status_code == 422 and "bitte das Gespräch dort erfassen" in refused.get_data(as_text=True)
    assert appointments(office, case_id) == [(office.at(WEDNESDAY, 9), PLANNED, None)]


def test_other_teams_and_forged_posts_are_refused(office: Office) -> None:
    case_id = new_case(office)
    [first] = queries.case_agenda(office.services, case_id).appointments
    sven = signed_in(office, "sven")
    assert sven.get(f"/termine/{first.id}").status_code == 403
    assert sven.post(f"/termine/{first.id}/absagen", data={"von": "elb"}).status_code == 403
    assert sven.post(f"/faelle/{case_id}/termine", data={"tag": "2025-03-06", "uhrzeit": "10:00", "art": "praesenz",
                                                         "zweck": "x"}).status_code == 403
    assert signed_in(office, "anna").get("/termine/999999").status_code == 404
    forged = signed_in(office, "anna", csrf=True)
    assert forged.post(f"/termine/{first.id}/verschieben", data={"tag": "2025-03-06", "uhrzeit": "10:30"}
                       ).status_code == 400
    assert forged.post(f"/faelle/{case_id}/termine", data={"tag": "2025-03-06", "uhrzeit": "10:30",
                                                           "art": "praesenz", "zweck": "x"}).status_code == 400
    assert appointments(office, case_id) == [(office.at(WEDNESDAY, 9), PLANNED, None)]


def test_refused_case_file_forms_keep_the_input(office: Office) -> None:
    case_id = new_case(office)
    client = signed_in(office, "anna")
    refused = client.post(f"/faelle/{case_id}/wiedervorlagen", data={"am": "2000-01-01", "grund": "Kita-Nachweis"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "darf nicht in der Vergangenheit liegen" in text
    assert 'value="2000-01-01"' in text and 'value="Kita-Nachweis"' in text
    assert queries.case_agenda(office.services, case_id).follow_ups == []
    contact = client.post(f"/faelle/{case_id}/kontakte", data={"art": "email", "notiz": ""})
    assert contact.status_code == 422 and '<details id="aktion-kontakt" open>' in contact.get_data(as_text=True)
    assert queries.case_agenda(office.services, case_id).contacts == []


@contextmanager
def statements(office: Office) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(connection: Any, cursor: Any, statement: str, *rest: Any) -> None:
        seen.append(statement)

    engine = office.services.engine.database.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_no_statement_per_appointment_on_the_calendar_and_the_case_file(office: Office) -> None:
    case_id = new_case(office)
    client = signed_in(office, "anna")
    pages = ("/kalender?tag=2025-03-05&ansicht=woche", f"/faelle/{case_id}", "/eingang")
    counts = []
    for round_ in range(2):
        if round_:
            for hour in (10, 11, 12, 13, 14):
                for day in (date(2025, 3, 4), WEDNESDAY, THURSDAY):
                    office.agenda.book(office.member("anna"), case_id, starts_at=office.at(day, hour),
                                           kind="praesenz", purpose="Termin", with_rfb=False)
        with statements(office) as seen:
            for path in pages:
                assert client.get(path).status_code == 200
        counts.append(len(seen))
    assert counts[0] == counts[1], counts


def test_todays_appointments_in_the_inbox_open_their_page(office: Office) -> None:
    case_id = new_case(office)
    [first] = queries.case_agenda(office.services, case_id).appointments
    client = signed_in(office, "anna")
    assert f'href="/termine/{first.id}' not in client.get("/eingang").get_data(as_text=True)  # Monday: not today
    office.clock.set(datetime(2025, 3, 5, 7, 0, tzinfo=UTC))
    inbox = client.get("/eingang?bereich=mine").get_data(as_text=True)
    assert f'href="/termine/{first.id}?zurueck=' in inbox and ">09:00</a> · " in inbox
