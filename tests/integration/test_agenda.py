"""Appointments, Wiedervorlagen, contacts and the life of a case, through the workplace commands on the SRO model."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from engine.domain.agenda import CANCELLED, HELD, PLANNED
from engine.queries import agenda as queries
from engine.runtime.errors import ConflictError, FormError, NothingWaitsError
from engine.runtime.store import Wait
from engine.workplace.commands import AccessDenied
from tests.integration.conftest import Office


def test_intake_books_the_first_session_and_the_task_comes_back_on_its_day(office: Office) -> None:
    anna = office.member("anna")
    case_id = office.cases.intake(anna, "901a123456", first_session=office.at(date(2025, 3, 5), 9))
    [appointment] = queries.case_agenda(office.services, case_id).appointments
    assert (appointment.customer_number, appointment.purpose, appointment.kind, appointment.status) == (
        "901A123456", "Erstgespräch", "praesenz", PLANNED)
    [task] = office.services.open_tasks(case_id)
    assert task.element_id == "Task_Erstgespraech"
    assert task.follow_up_at == office.at(date(2025, 3, 5), 0)  # the appointment's day, Berlin midnight
    with pytest.raises(FormError) as caught:
        office.cases.intake(anna, "12345", first_session=office.at(date(2025, 3, 6), 9))
    assert "drei Ziffern, einen Buchstaben und sechs Ziffern" in caught.value.errors["kundennummer"]
    with pytest.raises(ConflictError, match="bereits einen Fall"):
        office.cases.intake(anna, "901A123456", first_session=office.at(date(2025, 3, 6), 9))


def test_the_session_task_comes_back_at_berlin_midnight_of_its_appointments_day_across_the_clock_change(
        office_on_both: Office) -> None:
    """Summer time begins on 30 March 2025: midnight of the 31st in Berlin is 22:00 UTC, of the 28th 23:00 UTC
    (on PostgreSQL the day is computed by the server, on SQLite in Python)."""
    office = office_on_both
    anna = office.member("anna")
    case_id = office.cases.intake(anna, "901a123456", first_session=office.at(date(2025, 3, 31), 9))
    [task] = office.services.open_tasks(case_id)
    assert task.follow_up_at == datetime(2025, 3, 30, 22, 0, tzinfo=UTC)
    other = office.cases.intake(anna, "901a654321", first_session=office.at(date(2025, 3, 28), 9))
    [task] = office.services.open_tasks(other)
    assert task.follow_up_at == datetime(2025, 3, 27, 23, 0, tzinfo=UTC)


def test_a_session_marks_its_appointment_held_and_books_the_agreed_next_one(office: Office) -> None:
    case_id = office.cases.intake(office.member("anna"), "901A000001", first_session=office.at(date(2025, 3, 5), 9))
    office.clock.set(datetime(2025, 3, 5, 8, 50, tzinfo=UTC))
    office.first_session(case_id)
    appointments = queries.case_agenda(office.services, case_id).appointments
    assert [(row.starts_at, row.status) for row in appointments] == [
        (office.at(date(2025, 3, 19), 8), PLANNED), (office.at(date(2025, 3, 5), 9), HELD)]
    assert appointments[0].purpose.startswith("Termin aus »Erstgespräch in Präsenz führen«")


def test_a_wiedervorlage_agreed_in_a_session_comes_back_on_its_day_while_a_plan_runs(office: Office) -> None:
    anna = office.member("anna")
    case_id = office.cases.intake(anna, "901A000002", first_session=office.at(date(2025, 3, 5), 9))
    office.clock.set(datetime(2025, 3, 5, 8, 50, tzinfo=UTC))
    office.first_session(case_id, naechsterKontakt="wiedervorlage", naechsterKontaktAm="2025-03-12")
    office.clock.set(datetime(2025, 3, 11, 9, 0, tzinfo=UTC))
    assert queries.today(office.services, anna, mine_only=True).follow_ups == []
    office.clock.set(datetime(2025, 3, 12, 7, 0, tzinfo=UTC))
    [due] = queries.today(office.services, anna, mine_only=True).follow_ups
    assert (due.case_id, due.due_on) == (case_id, date(2025, 3, 12))
    assert [task.element_id for task in office.services.open_tasks(case_id)] == ["Task_Kooperationsplan"]


def test_bookings_are_checked(office: Office) -> None:
    anna = office.member("anna")
    case_id = office.cases.intake(anna, "901A000003", first_session=office.at(date(2025, 3, 5), 9))

    def refused(starts_at: datetime) -> str:
        with pytest.raises(FormError) as caught:
            office.agenda.book(anna, case_id, starts_at=starts_at, kind="telefon", purpose="Rückfrage", with_rfb=False)
        return caught.value.errors["beginn"]

    assert "bereits ein Termin" in refused(office.at(date(2025, 3, 5), 9, 30))
    assert "kein Arbeitstag" in refused(office.at(date(2025, 3, 8), 9))  # a Saturday
    assert "kein Arbeitstag" in refused(office.at(date(2025, 4, 18), 9))  # Good Friday
    assert "zwischen 08:00 und 16:00" in refused(office.at(date(2025, 3, 6), 15, 30))
    assert "Vergangenheit" in refused(office.at(date(2025, 3, 3), 7))
    assert "höchstens ein Jahr" in refused(office.at(date(2026, 3, 10), 9))
    assert len(queries.case_agenda(office.services, case_id).appointments) == 1  # nothing was booked
    sven = office.member("sven")
    with pytest.raises(AccessDenied):
        office.agenda.book(sven, case_id, starts_at=office.at(date(2025, 3, 6), 9), kind="telefon", purpose="x",
                           with_rfb=False)


def test_move_cancel_and_the_calendar_with_free_slots(office: Office) -> None:
    anna = office.member("anna")
    case_id = office.cases.intake(anna, "901A000004", first_session=office.at(date(2025, 3, 5), 9))
    [first] = queries.case_agenda(office.services, case_id).appointments
    office.agenda.move(anna, first.id, office.at(date(2025, 3, 6), 10, 15))
    week = queries.calendar(office.services, "anna", date(2025, 3, 3), days=5)
    assert [len(day.appointments) for day in week.days] == [0, 0, 0, 1, 0]
    thursday = week.days[3]
    assert all(not (slot.starts_at < office.at(date(2025, 3, 6), 11) and
                    slot.starts_at + timedelta(minutes=slot.minutes) > office.at(date(2025, 3, 6), 10, 15))
               for slot in thursday.free)
    assert len(week.days[0].free) == 10  # Monday 08:00 (now) to 16:00 in 45-minute slots
    assert (week.sessions_held, week.target) == (0, 20.0)
    office.agenda.cancel(anna, first.id, "elb")
    [cancelled] = queries.case_agenda(office.services, case_id).appointments
    assert (cancelled.status, cancelled.cancelled_by) == (CANCELLED, "elb")
    with pytest.raises(ConflictError):
        office.agenda.cancel(anna, first.id, "elb")


def test_a_missed_appointment_the_process_cannot_take_changes_nothing(office: Office) -> None:
    anna = office.member("anna")
    case_id = office.cases.intake(anna, "901A000005", first_session=office.at(date(2025, 3, 5), 9))
    office.clock.set(datetime(2025, 3, 5, 8, 50, tzinfo=UTC))
    office.first_session(case_id)  # now a plan is to be agreed; the next appointment is on 19 March
    upcoming = queries.case_agenda(office.services, case_id).appointments[0]
    with pytest.raises(ConflictError, match="noch bevorsteht"):
        office.agenda.record_missed(anna, upcoming.id)
    office.clock.set(datetime(2025, 3, 19, 9, 0, tzinfo=UTC))
    try:
        office.agenda.record_missed(anna, upcoming.id)
    except NothingWaitsError:  # the model hears missed appointments only during a session (until the event
        assert queries.case_agenda(office.services, case_id).appointments[0].status == PLANNED  # subprocess)
    else:
        assert queries.case_agenda(office.services, case_id).appointments[0].status == "versaeumt"


def test_wiedervorlagen_and_contacts(office: Office) -> None:
    anna = office.member("anna")
    case_id = office.cases.intake(anna, "901A000006", first_session=office.at(date(2025, 3, 5), 9))
    with pytest.raises(FormError) as caught:
        office.agenda.add_follow_up(anna, case_id, due_on=date(2025, 3, 1), reason="Unterlagen")
    assert caught.value.errors == {"wiedervorlageAm": "Die Wiedervorlage darf nicht in der Vergangenheit liegen."}
    follow_up = office.agenda.add_follow_up(anna, case_id, due_on=date(2025, 3, 4), reason="Unterlagen prüfen")
    office.clock.set(datetime(2025, 3, 4, 7, 0, tzinfo=UTC))
    assert [row.id for row in queries.today(office.services, office.member("bert"), mine_only=False).follow_ups] \
        == [follow_up]  # the team sees it, too
    office.agenda.follow_up_done(anna, follow_up)
    assert queries.today(office.services, anna, mine_only=True).follow_ups == []
    office.agenda.record_contact(anna, case_id, kind="email", note="Unterlagen per E-Mail erhalten")
    with pytest.raises(FormError):
        office.agenda.record_contact(anna, case_id, kind="fax", note="x")
    [contact] = queries.case_agenda(office.services, case_id).contacts
    assert (contact.kind, contact.counsellor) == ("email", "anna")


def test_handover_close_reopen_and_search(office: Office) -> None:
    anna, tina = office.member("anna"), office.member("tina")
    case_id = office.cases.intake(anna, "901A000007", first_session=office.at(date(2025, 3, 5), 9))
    follow_up = office.agenda.add_follow_up(anna, case_id, due_on=date(2025, 3, 20), reason="Nachfragen")
    with pytest.raises(AccessDenied):  # a colleague's case: only the team lead reassigns it
        office.cases.hand_over(office.member("bert"), case_id, "bert", "Übernahme")
    assert office.services.case(case_id).counsellor == "anna"
    office.cases.hand_over(anna, case_id, "bert", "Urlaubsvertretung")  # the IFK hands over a case she holds
    assert office.services.case(case_id).counsellor == "bert"
    assert [row.counsellor for row in queries.case_agenda(office.services, case_id).appointments] == ["bert"]
    assert [row.owner for row in queries.case_agenda(office.services, case_id).follow_ups if row.id == follow_up] \
        == ["bert"]
    with pytest.raises(FormError):
        office.cases.hand_over(tina, case_id, "sven", "anderes Team")
    office.cases.close(tina, case_id, "integriert")
    case = office.services.case(case_id)
    assert (case.status, case.closed_reason) == ("beendet", "integriert")
    assert office.services.open_tasks(case_id) == [] and office.services.waits(case_id) == []
    agenda_now = queries.case_agenda(office.services, case_id)
    assert [row.status for row in agenda_now.appointments] == [CANCELLED]
    assert all(row.done_at is not None for row in agenda_now.follow_ups)
    office.cases.reopen(tina, case_id)
    assert office.services.case(case_id).status == "aktiv"
    assert [task.element_id for task in office.services.open_tasks(case_id)] == ["Task_Erstgespraech"]
    assert [hit.id for hit in queries.find_cases(office.services, anna, "901a0000")] == [case_id]
    assert queries.find_cases(office.services, office.member("sven"), "901A") == []


def test_an_appointment_held_while_a_plan_runs_counts_as_a_session(office: Office) -> None:
    anna = office.member("anna")
    case_id = office.cases.intake(anna, "901A000008", first_session=office.at(date(2025, 3, 5), 9))
    office.clock.set(datetime(2025, 3, 5, 8, 50, tzinfo=UTC))
    office.first_session(case_id, naechsterKontakt="wiedervorlage", naechsterKontaktAm="2025-03-12")
    office.agreed_plan(case_id)  # the plan runs: the process waits for the step's date
    due_before = office.services.case(case_id).contact_due_on
    appointment = office.agenda.book(anna, case_id, starts_at=office.at(date(2025, 3, 20), 10), kind="praesenz",
                                     purpose="Zwischengespräch", with_rfb=False)
    with pytest.raises(ConflictError, match="am Tag des Termins"):
        office.agenda.hold(anna, appointment, kind="praesenz", note="Stand besprochen")
    office.clock.set(datetime(2025, 3, 20, 9, 30, tzinfo=UTC))
    office.agenda.hold(anna, appointment, kind="praesenz", note="Stand besprochen",
                       next_contact="folgetermin_telefon", next_day=date(2025, 4, 3))
    case = office.services.case(case_id)
    assert case.contact_due_on == date(2025, 3, 20) + timedelta(days=case.contact_interval_days or 0) != due_before
    rows = queries.case_agenda(office.services, case_id).appointments
    assert [(row.starts_at.date(), row.status, row.kind) for row in rows][:2] == [
        (date(2025, 4, 3), PLANNED, "telefon"), (date(2025, 3, 20), HELD, "praesenz")]
    assert queries.calendar(office.services, "anna", date(2025, 3, 17), days=5).sessions_held == 1


def test_a_case_started_after_a_missed_appointment_elsewhere_still_ends_its_cycle(office: Office) -> None:
    """A missed appointment in one case must not leave its mark on cases started later: before the fix each
    of them began with a run of the Meldeversäumnis event subprocess waiting for its message, listed the wait
    twice, and stayed "running" with nothing to do once its cycle ended (516 of 1,200 demo cases)."""
    anna = office.member("anna")
    first = office.cases.intake(anna, "901A000009", first_session=office.at(date(2025, 3, 5), 9))
    office.clock.set(datetime(2025, 3, 5, 8, 50, tzinfo=UTC))
    office.first_session(first)
    office.agreed_plan(first)
    appointment = queries.case_agenda(office.services, first).appointments[0]
    office.clock.set(datetime(2025, 3, 19, 9, 0, tzinfo=UTC))
    office.agenda.record_missed(anna, appointment.id)
    later = office.cases.intake(anna, "901A000010", first_session=office.at(date(2025, 3, 20), 9))
    with office.services.engine.database.session() as session:
        waits = list(session.scalars(select(Wait.element_id).where(Wait.case_id == later)))
    assert sorted(waits) == ["StartEvent_Aufhebung", "StartEvent_Meldeversaeumnis"]  # each event subprocess once
    office.clock.set(datetime(2025, 3, 20, 8, 50, tzinfo=UTC))
    office.first_session(later, naechsterKontakt="wiedervorlage", naechsterKontaktAm="2025-04-03")
    review = office.plan_to_review(later)
    office.services.complete_task(review.id, {"ueberpruefung": "Arbeitsaufnahme in Aussicht",
                                              "gespraechsart": "praesenz", "naechsterKontakt": "wiedervorlage",
                                              "naechsterKontaktAm": "2025-04-14"}, actor="anna")
    assert office.services.case(later).cycle_count == 2
    assert [task.element_id for task in office.services.open_tasks(later)] == ["Task_Beratungsgespraech"]
