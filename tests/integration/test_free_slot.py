"""The first free slot an agreed contact is booked into: read a fortnight of the calendar at a time, the result
the same as looking day by day (full days, weekends, holidays and other counsellors' appointments)."""

from __future__ import annotations

from datetime import date, timedelta

from engine.agenda import FREE_SLOT_WINDOW_DAYS, first_free_slot
from engine.domain.agenda import PLANNED, Appointment, day_slots
from engine.domain.workdays import is_working_day
from tests.integration.conftest import Office


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
