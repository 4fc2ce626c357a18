"""ISO 8601 durations, timer dates and cycles in Berlin calendar arithmetic, and the simulated clock."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from engine.runtime.clock import BERLIN, SimulatedClock, SystemClock
from engine.runtime.durations import (
    Cycle,
    Duration,
    DurationError,
    add_duration,
    due_time,
    is_duration,
    parse_cycle,
    parse_duration,
    parse_moment,
)


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def assert_utc(moment: datetime) -> None:
    assert moment.tzinfo is UTC, f"{moment!r} is not in UTC"


# --------------------------------------------------------------------------- parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P14D", Duration(days=14)),
        ("P6M", Duration(months=6)),
        ("P1Y", Duration(years=1)),
        ("P2W", Duration(weeks=2)),
        ("PT2H", Duration(hours=2)),
        ("PT90M", Duration(minutes=90)),
        ("PT1.5S", Duration(seconds=1.5)),
        ("PT0,5S", Duration(seconds=0.5)),
        ("P1Y2M3DT4H5M6S", Duration(years=1, months=2, days=3, hours=4, minutes=5, seconds=6.0)),
        ("p1m", Duration(months=1)),
        ("  P3M  ", Duration(months=3)),
    ],
)
def test_parse_duration_reads_iso_8601(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected
    assert is_duration(text) is True


@pytest.mark.parametrize("text", ["6M", "P", "PT", "P1.5M", "abc", "", "P1YT", "P-1D", "1D", "PT2D", "P1H"])
def test_invalid_durations_are_refused_with_a_german_message(text: str) -> None:
    with pytest.raises(DurationError) as info:
        parse_duration(text)
    assert str(info.value) == f"»{text}« ist keine ISO-8601-Dauer (z. B. P14D, P6M, PT2H)."
    assert is_duration(text) is False


# About 100 years: years count 366 days, months 31, weeks 7, time parts exactly; more than 36,600 is refused.
@pytest.mark.parametrize(
    "text",
    [
        "P36601D",
        "P101Y",
        "P100Y1D",
        "P1181M",
        "P5229W",
        "PT878401H",
        "PT52704001M",
        "PT3162240001S",
        "P36600DT1S",
        "P100000D",
        "P8000Y",
        "P999999999999M",
    ],
)
def test_huge_durations_are_refused(text: str) -> None:
    with pytest.raises(DurationError) as info:
        parse_duration(text)
    assert str(info.value) == f"Die Dauer »{text}« ist zu groß."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P36600D", Duration(days=36_600)),
        ("P100Y", Duration(years=100)),
        ("P1180M", Duration(months=1180)),
        ("P5228W", Duration(weeks=5228)),
        ("PT878400H", Duration(hours=878_400)),
        ("PT100001H", Duration(hours=100_001)),  # about 4,167 days: well below the cap
        ("PT3162240000S", Duration(seconds=3_162_240_000.0)),
    ],
)
def test_durations_up_to_about_100_years_are_accepted(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected


def test_largest_accepted_unit_count_still_computes() -> None:
    # 09:00 CET in January -> 09:00 CET on 23 March 2125 (before that year's switch to summer time)
    assert add_duration(utc(2025, 1, 6, 8), "P36600D") == utc(2125, 3, 23, 8)
    assert add_duration(utc(2025, 1, 6, 8), "P100Y") == utc(2125, 1, 6, 8)


def test_durations_beyond_the_calendar_are_refused_as_duration_error() -> None:
    # Refused when parsed, so also before any calendar arithmetic.
    with pytest.raises(DurationError) as info:
        add_duration(utc(2025, 1, 6, 8), "P8000Y")
    assert str(info.value) == "Die Dauer »P8000Y« ist zu groß."
    # An accepted duration that leaves datetime's range is a DurationError too, not Python's English text.
    with pytest.raises(DurationError) as info:
        add_duration(utc(9999, 12, 1, 8), "P1M")
    assert str(info.value) == "9999-12-01 plus die Dauer liegt außerhalb des Kalenders."
    assert isinstance(info.value.__cause__, ValueError)
    with pytest.raises(DurationError) as info:
        add_duration(utc(9999, 12, 31, 20), Duration(hours=5))
    assert str(info.value) == "9999-12-31 plus die Dauer liegt außerhalb des Kalenders."
    assert isinstance(info.value.__cause__, OverflowError)


# --------------------------------------------------------------------------- calendar arithmetic


@pytest.mark.parametrize(
    ("start", "duration", "expected_local"),
    [
        (berlin(2025, 1, 31), "P1M", berlin(2025, 2, 28)),
        (berlin(2024, 1, 31), "P1M", berlin(2024, 2, 29)),  # leap year
        (berlin(2025, 3, 31), "P1M", berlin(2025, 4, 30)),
        (berlin(2025, 8, 31), "P6M", berlin(2026, 2, 28)),
        (berlin(2025, 1, 31, 10, 15), "P1M", berlin(2025, 2, 28, 10, 15)),
        (berlin(2025, 1, 30), "P1M", berlin(2025, 2, 28)),
        (berlin(2025, 2, 28), "P1M", berlin(2025, 3, 28)),  # no "stick to month end"
        (berlin(2025, 12, 31), "P2M", berlin(2026, 2, 28)),
        (berlin(2024, 2, 29), "P1Y", berlin(2025, 2, 28)),
        (berlin(2024, 2, 29), "P4Y", berlin(2028, 2, 29)),
        (berlin(2025, 1, 6), "P2W", berlin(2025, 1, 20)),
        (berlin(2025, 12, 29), "P1W", berlin(2026, 1, 5)),
        (berlin(2025, 1, 6, 9), "P14D", berlin(2025, 1, 20, 9)),
        (berlin(2025, 1, 31), "P1M1D", berlin(2025, 3, 1)),
    ],
)
def test_calendar_units_clamp_to_the_month_end(
    start: datetime, duration: str, expected_local: datetime
) -> None:
    result = add_duration(start, duration)
    assert_utc(result)
    assert result == expected_local
    assert result.astimezone(BERLIN).replace(tzinfo=None) == expected_local.replace(tzinfo=None)


def test_month_end_clamp_exact_utc_values() -> None:
    # Midnight in Berlin in winter is 23:00 UTC the day before.
    assert add_duration(berlin(2025, 1, 31), "P1M") == utc(2025, 2, 27, 23)
    assert add_duration(berlin(2024, 1, 31), "P1M") == utc(2024, 2, 28, 23)
    # 31 March is summer time (+02:00), 30 April too.
    assert add_duration(berlin(2025, 3, 31), "P1M") == utc(2025, 4, 29, 22)


def test_pt2h_adds_exact_hours() -> None:
    assert add_duration(utc(2025, 1, 6, 8), "PT2H") == utc(2025, 1, 6, 10)
    assert add_duration(utc(2025, 1, 6, 23, 30), "PT2H") == utc(2025, 1, 7, 1, 30)
    assert add_duration(utc(2025, 1, 6, 8), "PT90M") == utc(2025, 1, 6, 9, 30)
    assert add_duration(utc(2025, 1, 6, 8), "PT1.5S") == utc(2025, 1, 6, 8) + timedelta(seconds=1.5)


def test_p1d_across_spring_dst_change_keeps_berlin_wall_time() -> None:
    # Sunday 30 March 2025 is the last Sunday of March: 02:00 CET -> 03:00 CEST.
    start = berlin(2025, 3, 29, 9)  # 08:00 UTC
    result = add_duration(start, "P1D")
    assert result == utc(2025, 3, 30, 7)  # 09:00 CEST: only 23 real hours later
    assert result.astimezone(BERLIN).hour == 9
    assert result - start == timedelta(hours=23)
    # PT24H counts real hours instead.
    assert add_duration(start, "PT24H") == utc(2025, 3, 30, 8)
    assert add_duration(start, "PT24H").astimezone(BERLIN).hour == 10


def test_p1d_across_autumn_dst_change_keeps_berlin_wall_time() -> None:
    # Sunday 26 October 2025: 03:00 CEST -> 02:00 CET.
    start = berlin(2025, 10, 25, 9)  # 07:00 UTC
    result = add_duration(start, "P1D")
    assert result == utc(2025, 10, 26, 8)
    assert result - start == timedelta(hours=25)
    assert result.astimezone(BERLIN).hour == 9


def test_date_part_in_local_time_then_hours_exactly() -> None:
    # P1DT2H across the spring change: one calendar day (09:00 CEST), then two real hours.
    assert add_duration(berlin(2025, 3, 29, 9), "P1DT2H") == utc(2025, 3, 30, 9)


def test_p1m_at_half_past_midnight_stays_at_half_past_midnight_across_dst() -> None:
    result = add_duration(berlin(2025, 3, 15, 0, 30), "P1M")
    assert result == utc(2025, 4, 14, 22, 30)
    assert result.astimezone(BERLIN).replace(tzinfo=None) == datetime(2025, 4, 15, 0, 30)


def test_p1d_landing_in_the_spring_gap_moves_forward_by_the_gap() -> None:
    # 2025-03-30 02:30 does not exist in Berlin; like java.time, the result is 03:30 CEST.
    result = add_duration(berlin(2025, 3, 29, 2, 30), "P1D")
    assert result == utc(2025, 3, 30, 1, 30)
    assert result.astimezone(BERLIN).replace(tzinfo=None) == datetime(2025, 3, 30, 3, 30)


def test_add_duration_accepts_a_parsed_duration_and_any_timezone() -> None:
    assert add_duration(utc(2025, 1, 31, 12), Duration(months=1)) == utc(2025, 2, 28, 12)
    assert add_duration(berlin(2025, 1, 31, 13), "P1M") == utc(2025, 2, 28, 12)


@pytest.fixture
def utc_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run as a server whose local zone is UTC (as in most containers)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("utc_server")
def test_add_duration_refuses_naive_datetimes_instead_of_reading_them_in_the_server_zone() -> None:
    naive = datetime(2025, 1, 1)
    with pytest.raises(DurationError) as info:
        add_duration(naive, "P1D")
    assert str(info.value) == "Zeitpunkt ohne Zeitzone: 2025-01-01T00:00:00"
    with pytest.raises(DurationError) as info:
        add_duration(datetime(2025, 1, 1, 9, 30), Duration(hours=1))
    assert str(info.value) == "Zeitpunkt ohne Zeitzone: 2025-01-01T09:30:00"


# --------------------------------------------------------------------------- moments and due times


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-01-31", utc(2025, 1, 30, 23)),  # midnight in Berlin, winter
        ("2025-07-01", utc(2025, 6, 30, 22)),  # midnight in Berlin, summer
        (date(2025, 7, 1), utc(2025, 6, 30, 22)),
        (date(2025, 3, 30), utc(2025, 3, 29, 23)),  # the DST day begins in CET
        ("2025-07-01T10:00:00", utc(2025, 7, 1, 8)),  # naive text is Berlin time
        ("2025-01-31T10:00", utc(2025, 1, 31, 9)),
        ("2025-07-01T10:00:00Z", utc(2025, 7, 1, 10)),
        ("2025-07-01T10:00:00+05:00", utc(2025, 7, 1, 5)),
        (datetime(2025, 7, 1, 10), utc(2025, 7, 1, 8)),
        (berlin(2025, 1, 6, 9), utc(2025, 1, 6, 8)),
    ],
)
def test_parse_moment_returns_aware_utc(value: object, expected: datetime) -> None:
    result = parse_moment(value)
    assert result == expected
    assert_utc(result)


@pytest.mark.parametrize("value", ["31.01.2025", "2025-13-01", "2025-02-30", "morgen", 12345, None, ""])
def test_parse_moment_refuses_what_is_not_iso(value: object) -> None:
    with pytest.raises(DurationError) as info:
        parse_moment(value)
    assert str(info.value) == f"»{value}« ist kein Datum und kein Zeitpunkt nach ISO 8601."


def test_due_time_of_duration_timedelta_and_date() -> None:
    start = utc(2025, 1, 6, 8)
    assert due_time("P14D", start) == utc(2025, 1, 20, 8)
    assert due_time("P1M", utc(2025, 1, 31, 8)) == utc(2025, 2, 28, 8)
    assert due_time(timedelta(hours=3), start) == utc(2025, 1, 6, 11)
    assert due_time("2025-02-01", start) == utc(2025, 1, 31, 23)
    assert due_time(date(2025, 2, 1), start) == utc(2025, 1, 31, 23)
    assert due_time("2025-02-01T12:00:00Z", start) == utc(2025, 2, 1, 12)
    for value in ("P14D", timedelta(hours=3), "2025-02-01", date(2025, 2, 1)):
        assert_utc(due_time(value, start))


def test_due_time_refuses_garbage() -> None:
    with pytest.raises(DurationError) as info:
        due_time("bald", utc(2025, 1, 6, 8))
    assert str(info.value) == "»bald« ist kein Datum und kein Zeitpunkt nach ISO 8601."


# --------------------------------------------------------------------------- cycles


def test_cycle_with_count() -> None:
    assert parse_cycle("R3/PT1H") == Cycle(3, None, Duration(hours=1))


def test_cycle_without_end() -> None:
    assert parse_cycle("R/P1D") == Cycle(None, None, Duration(days=1))


def test_cycle_with_start_date() -> None:
    cycle = parse_cycle("R2/2025-01-31/P1M")
    assert cycle == Cycle(2, utc(2025, 1, 30, 23), Duration(months=1))
    assert cycle.start is not None
    assert_utc(cycle.start)
    assert parse_cycle("R3/2025-01-31T10:00:00Z/PT1H").start == utc(2025, 1, 31, 10)


@pytest.mark.parametrize("text", ["R3", "PT1H", "R-1/PT1H", "R3/a/b/c", "X3/PT1H", ""])
def test_malformed_cycles_are_refused(text: str) -> None:
    with pytest.raises(DurationError) as info:
        parse_cycle(text)
    assert str(info.value) == f"»{text}« ist kein ISO-8601-Wiederholungsintervall (z. B. R3/P1D)."


@pytest.mark.parametrize("text", ["R0/PT1H", "r0/P1D", "R0/2025-01-31/P1M", "R00/P1D"])
def test_cycle_that_never_repeats_is_refused(text: str) -> None:
    with pytest.raises(DurationError) as info:
        parse_cycle(text)
    assert str(info.value) == f"»{text}« wiederholt sich nie (R0); bitte mindestens R1 angeben."


def test_cycle_with_a_huge_duration_is_refused() -> None:
    with pytest.raises(DurationError) as info:
        parse_cycle("R3/P36601D")
    assert str(info.value) == "Die Dauer »P36601D« ist zu groß."


def test_cycle_with_bad_parts_names_the_bad_part() -> None:
    with pytest.raises(DurationError) as info:
        parse_cycle("R3/P")
    assert str(info.value) == "»P« ist keine ISO-8601-Dauer (z. B. P14D, P6M, PT2H)."
    with pytest.raises(DurationError) as info:
        parse_cycle("R/2025-02-30/P1D")
    assert str(info.value) == "»2025-02-30« ist kein Datum und kein Zeitpunkt nach ISO 8601."


# --------------------------------------------------------------------------- simulated clock

START = utc(2025, 1, 6, 8)  # Monday, 09:00 in Berlin


def test_simulated_clock_stands_still_until_told() -> None:
    clock = SimulatedClock(START)
    assert clock.now() == START
    time.sleep(0.01)
    assert clock.now() == START
    assert_utc(clock.now())


def test_simulated_clock_normalises_to_utc() -> None:
    clock = SimulatedClock(berlin(2025, 1, 6, 9))
    assert clock.now() == START
    assert_utc(clock.now())


def test_simulated_clock_advances_by_calendar_duration() -> None:
    clock = SimulatedClock(START)
    returned = clock.advance("P6M")
    # 09:00 CET in January -> 09:00 CEST in July = 07:00 UTC
    assert returned == utc(2025, 7, 6, 7)
    assert clock.now() == returned
    assert_utc(clock.now())
    clock.advance("P1M")
    assert clock.now() == utc(2025, 8, 6, 7)


def test_simulated_clock_advance_from_month_end_clamps() -> None:
    clock = SimulatedClock(berlin(2025, 1, 31, 9))
    assert clock.advance("P1M") == utc(2025, 2, 28, 8)


def test_simulated_clock_advances_by_timedelta() -> None:
    clock = SimulatedClock(START)
    assert clock.advance(timedelta(hours=2, minutes=30)) == utc(2025, 1, 6, 10, 30)
    assert clock.now() == utc(2025, 1, 6, 10, 30)


def test_simulated_clock_refuses_invalid_duration_without_moving() -> None:
    clock = SimulatedClock(START)
    with pytest.raises(DurationError):
        clock.advance("6M")
    assert clock.now() == START


def test_simulated_clock_set_moves_forward_and_refuses_going_back() -> None:
    clock = SimulatedClock(START)
    clock.set(utc(2025, 2, 1, 12))
    assert clock.now() == utc(2025, 2, 1, 12)
    clock.set(utc(2025, 2, 1, 12))  # the same moment is fine
    assert clock.now() == utc(2025, 2, 1, 12)
    with pytest.raises(ValueError, match="Die simulierte Uhr kann nicht zurückgestellt werden"):
        clock.set(utc(2025, 2, 1, 11, 59))
    assert clock.now() == utc(2025, 2, 1, 12)


@pytest.mark.parametrize("step", [timedelta(days=-35), timedelta(microseconds=-1)])
def test_simulated_clock_advance_refuses_a_negative_step(step: timedelta) -> None:
    clock = SimulatedClock(START)
    with pytest.raises(ValueError) as info:
        clock.advance(step)
    assert str(info.value) == "Die simulierte Uhr kann nicht zurückgestellt werden."
    assert clock.now() == START


def test_simulated_clock_advance_by_zero_stays_put() -> None:
    clock = SimulatedClock(START)
    assert clock.advance(timedelta(0)) == START
    assert clock.now() == START


def test_simulated_clock_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="Zeitpunkt ohne Zeitzone: 2025-01-06T08:00:00"):
        SimulatedClock(datetime(2025, 1, 6, 8))
    clock = SimulatedClock(START)
    with pytest.raises(ValueError, match="Zeitpunkt ohne Zeitzone"):
        clock.set(datetime(2026, 1, 1))
    assert clock.now() == START


def test_two_simulated_clocks_are_independent() -> None:
    first, second = SimulatedClock(START), SimulatedClock(START)
    first.advance("P6M")
    assert first.now() == utc(2025, 7, 6, 7)
    assert second.now() == START
    second.advance(timedelta(days=1))
    assert first.now() == utc(2025, 7, 6, 7)
    assert second.now() == utc(2025, 1, 7, 8)


def test_simulated_clock_does_not_touch_the_system_clock() -> None:
    clock = SimulatedClock(START)
    clock.advance("P10Y")
    assert clock.now() == utc(2035, 1, 6, 8)
    real = SystemClock().now()
    assert_utc(real)
    assert abs(real.timestamp() - time.time()) < 5  # noqa: TID251  (the system clock, checked against the OS)
    assert real.year < 2035
