"""The free slots of a day (engine/domain/agenda.py): 45-minute slots from 08:00 to 16:00 Berlin time, compared with
appointments read from the database in UTC; an appointment that ends when a slot begins leaves it free."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from engine.domain.agenda import day_slots, free_slots
from engine.runtime.clock import BERLIN

MONDAY = date(2025, 3, 3)  # CET: UTC+1


def at(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


def starts(slots: list) -> list[str]:  # type: ignore[type-arg]
    return [f"{slot.starts_at.astimezone(BERLIN):%H:%M}" for slot in slots]


def test_a_day_has_ten_slots_and_an_appointment_in_utc_takes_the_ones_it_overlaps() -> None:
    assert starts(day_slots(MONDAY))[:3] == ["08:00", "08:45", "09:30"] and len(day_slots(MONDAY)) == 10
    taken = [(at(8, 45).astimezone(UTC), 45), (at(10, 30).astimezone(UTC), 10)]  # 08:45-09:30, 10:30-10:40
    assert starts(free_slots(MONDAY, taken)) == ["08:00", "09:30", "11:00", "11:45", "12:30", "13:15", "14:00",
                                                 "14:45"]


def test_back_to_back_appointments_overlap_no_free_slot() -> None:
    taken = [(at(8, 0) - timedelta(minutes=30), 30), (at(8, 45).astimezone(UTC), 45)]  # ends 08:00; 08:45-09:30
    free = starts(free_slots(MONDAY, taken))
    assert "08:00" in free and "09:30" in free and "08:45" not in free


def test_slots_before_now_are_not_offered_and_summer_time_is_berlins() -> None:
    summer = date(2025, 7, 7)  # CEST: UTC+2
    now = at(9, 30, summer).astimezone(UTC)
    assert starts(free_slots(summer, [], after=now))[0] == "09:30"
    assert starts(free_slots(summer, [(at(9, 30, summer).astimezone(UTC), 45)], after=now))[0] == "10:15"


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        free_slots(MONDAY, [(datetime(2025, 3, 3, 9, 0), 45)])
    with pytest.raises(ValueError, match="naive"):
        free_slots(MONDAY, [], after=datetime(2025, 3, 3, 9, 0))
