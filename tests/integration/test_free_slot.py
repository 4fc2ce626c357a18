"""The first free slot an agreed contact is booked into: the asked day and the two after it read first, then a
fortnight of the calendar at a time, the result the same as looking day by day (full days, weekends, holidays and
other counsellors' appointments)."""

from __future__ import annotations

from datetime import date, timedelta

from engine.agenda import FIRST_WINDOW_DAYS, FREE_SLOT_WINDOW_DAYS, first_free_slot
from engine.domain.agenda import PLANNED, Appointment, day_slots
from engine.domain.workdays import is_working_day
from tests.integration.conftest import Office, counted


def _fill(office: Office, case_id: int, counsellor: str, first: date, days: int) -> None:
    """Every slot of `days` calendar days from `first` taken in `counsellor`'s calendar."""
    now = office.clock.now()
    with office.services.unit_of_work() as work:
        for offset in range(days):
            for slot in day_slots(first + timedelta(days=offset)):
                work.session.add(Appointment(case_id=case_id, counsellor=counsellor, team="nord",
                                             starts_at=slot.starts_at, minutes=slot.minutes, kind="praesenz",
                                             purpose="belegt", status=PLANNED, created_at=now, created_by="tina",
                                             updated_at=now))
        work.commit()


def _first(office: Office, counsellor: str, day: date) -> object:
    with office.services.reading() as session:
        return first_free_slot(session, counsellor, day, office.clock.now())


def test_full_days_beyond_one_window_are_skipped_to_the_next_working_day_with_a_slot(office: Office) -> None:
    anna = office.member("anna")
    case_id = office.cases.intake(anna, "901a123456", first_session=office.at(date(2025, 3, 5), 9))
    first = date(2025, 3, 10)  # a Monday; a fortnight and more is full
    full = FREE_SLOT_WINDOW_DAYS + 5
    _fill(office, case_id, "anna", first, full)
    expected = first + timedelta(days=full)
    while not is_working_day(expected):
        expected += timedelta(days=1)
    assert _first(office, "anna", first) == day_slots(expected)[0].starts_at
    # Bert's calendar is empty: the same day, first slot
    assert _first(office, "bert", first) == day_slots(first)[0].starts_at


def test_a_day_with_one_slot_left_gives_that_slot(office: Office) -> None:
    anna = office.member("anna")
    case_id = office.cases.intake(anna, "901a123456", first_session=office.at(date(2025, 3, 5), 9))
    day = date(2025, 3, 12)
    _fill(office, case_id, "anna", day, 1)
    last = day_slots(day)[-1]
    with office.services.unit_of_work() as work:
        work.session.query(Appointment).filter(Appointment.starts_at == last.starts_at).delete()
        work.commit()
    assert _first(office, "anna", day - timedelta(days=1)) == day_slots(day - timedelta(days=1))[0].starts_at
    assert _first(office, "anna", day) == last.starts_at


def test_an_agreed_appointment_reads_the_calendar_once_and_is_stored_as_returned(office: Office) -> None:
    """The free slot's read is the overlap check: booking it does not read the counsellor's day again."""
    from typing import Any

    from sqlalchemy import event, select

    from engine.agenda import AgreedContact, CaseRef, keep_agreed_contact

    anna = office.member("anna")
    case_id = office.cases.intake(anna, "901a123456", first_session=office.at(date(2025, 3, 5), 9))
    other = office.cases.intake(anna, "901a654321", first_session=office.at(date(2025, 3, 5), 10))
    _fill(office, other, "anna", date(2025, 3, 12), 1)
    reads: list[str] = []

    def record(connection: Any, cursor: Any, statement: str, *rest: Any) -> None:
        if statement.lstrip().startswith("SELECT") and "appointments.counsellor =" in statement:
            reads.append(statement)

    engine = office.services.engine.database.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        with office.services.unit_of_work() as work:
            kept = keep_agreed_contact(work.session, CaseRef(case_id, "nord", "anna"),
                                       AgreedContact(date(2025, 3, 12), "praesenz", True), purpose="Folgetermin",
                                       actor="anna", now=office.clock.now())
            work.commit()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(reads) == 1, reads
    assert isinstance(kept, Appointment)
    assert kept.starts_at == day_slots(date(2025, 3, 13))[0].starts_at  # the 12th is full
    with office.services.reading() as session:
        stored = session.execute(select(Appointment).where(Appointment.id == kept.id)).scalar_one()
    assert (stored.case_id, stored.counsellor, stored.team, stored.starts_at, stored.kind, stored.with_rfb,
            stored.status, stored.purpose) == (case_id, "anna", "nord", kept.starts_at, "praesenz", True, PLANNED,
                                               "Folgetermin")


def test_an_agreed_day_with_the_cases_appointment_books_nothing_and_is_read_with_the_calendar(
        office_on_both: Office) -> None:
    """Whether the case has an appointment on the agreed day is asked in the free-slot search's statement: one
    statement, no booking, when it has one; on another day the slot is booked (from the same kind of read)."""
    from sqlalchemy import func, select

    from engine.agenda import AgreedContact, CaseRef, keep_agreed_contact

    office = office_on_both
    wednesday = date(2025, 3, 5)
    case_id = office.cases.intake(office.member("anna"), "901a123456", first_session=office.at(wednesday, 9))

    def keep(day: date) -> tuple[object, list[str]]:
        return counted(office.services, lambda session: keep_agreed_contact(
            session, CaseRef(case_id, "nord", "anna"), AgreedContact(day, "praesenz", False), purpose="Folgetermin",
            actor="anna", now=office.clock.now()))

    def planned() -> int:
        with office.services.reading() as session:
            return session.scalar(select(func.count()).select_from(Appointment)
                                  .where(Appointment.case_id == case_id, Appointment.status == PLANNED)) or 0

    kept, statements = keep(wednesday)
    assert kept is None and len(statements) == 1 and planned() == 1  # the first session is planned that day
    kept, statements = keep(date(2025, 3, 12))
    assert isinstance(kept, Appointment) and kept.starts_at == day_slots(date(2025, 3, 12))[0].starts_at
    assert len(statements) == 2 and planned() == 2  # the read, the INSERT


def test_a_session_recorded_on_the_day_of_the_cases_appointment_holds_it(office_on_both: Office) -> None:
    """The held session and the id of the case's appointment that day come back from one INSERT; the appointment
    is marked held with the session's id; on a day without one nothing else is read."""
    from datetime import datetime

    from engine.agenda import CaseRef, record_session
    from engine.domain.agenda import HELD

    office = office_on_both
    wednesday = date(2025, 3, 5)
    case_id = office.cases.intake(office.member("anna"), "901a123456", first_session=office.at(wednesday, 9))

    def held(now: datetime) -> tuple[int, list[str]]:
        return counted(office.services, lambda session: record_session(
            session, CaseRef(case_id, "nord", "anna"), kind="praesenz", element_id="", actor="anna", now=now))

    _, statements = held(office.at(date(2025, 3, 4), 10))  # Tuesday: no appointment of the case that day
    assert len(statements) == 1
    with office.services.reading() as session:
        [appointment] = session.query(Appointment).filter(Appointment.case_id == case_id).all()
    assert appointment.status == PLANNED
    session_id, _ = held(office.at(wednesday, 9, 30))
    with office.services.reading() as session:
        [appointment] = session.query(Appointment).filter(Appointment.case_id == case_id).all()
    assert (appointment.status, appointment.session_id) == (HELD, session_id)


def test_the_first_read_takes_the_asked_day_and_the_two_after_it_not_a_fortnight(office_on_both: Office) -> None:
    """A busy fortnight behind the asked day is not read when the day has a free slot (issue 12: each appointment
    read is a row to sort into its day, and a completed session books one)."""
    from typing import Any


    office = office_on_both
    anna = office.member("anna")
    case_id = office.cases.intake(anna, "901a123456", first_session=office.at(date(2025, 3, 5), 9))
    asked = date(2025, 3, 10)  # a Monday; its first two slots taken, the days from Thursday on full
    _fill(office, case_id, "anna", asked + timedelta(days=FIRST_WINDOW_DAYS), FREE_SLOT_WINDOW_DAYS)
    with office.services.unit_of_work() as work:
        for slot in day_slots(asked)[:2]:
            work.session.add(Appointment(case_id=case_id, counsellor="anna", team="nord", starts_at=slot.starts_at,
                                         minutes=slot.minutes, kind="praesenz", purpose="belegt", status=PLANNED,
                                         created_at=office.clock.now(), created_by="tina",
                                         updated_at=office.clock.now()))
        work.commit()
    rows: list[Any] = []

    class Reads:
        """The session's connection, keeping the rows each statement returned."""

        def __init__(self, session: Any) -> None:
            self.connection_of = session.connection

        def connection(self) -> Reads:
            return self

        def execute(self, statement: Any, parameters: Any) -> Reads:
            self.found = self.connection_of().execute(statement, parameters).all()
            rows.extend(self.found)
            return self

        def all(self) -> list[Any]:
            return list(self.found)

    with office.services.reading() as session:
        found = [first_free_slot(Reads(session), "anna", asked, office.clock.now())]  # type: ignore[arg-type]
    assert found == [day_slots(asked)[2].starts_at]
    assert len(rows) == 2  # the Monday's two; none of the full days after it
