"""The demo caseload: accounts per role and team, a living caseload in every phase, and idempotence."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from engine.bootstrap import bootstrap
from engine.demo import ACCOUNTS, DEFAULT_CASES, TEAMS, DemoReport, overview, seed, sign_in_table
from engine.domain.agenda import CANCELLED, HELD, MISSED, PLANNED, Appointment, Contact, FollowUp
from engine.domain.case import Case
from engine.domain.counselling import CounsellingSession
from engine.domain.staff import StaffMember
from engine.domain.workdays import is_working_day
from engine.runtime.clock import BERLIN
from engine.runtime.store import RUNNING, Database, Event, OpenTask, ProcessInstance, Wait
from engine.workplace.commands import Workplace
from tests.conftest import SRO_PROCESSES

NOW = datetime(2026, 3, 18, 11, 0, tzinfo=UTC)  # a Wednesday, while Bürgergeld still applies
CASES = 120


@dataclass
class Seeded:
    database: Database
    report: DemoReport


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite3'}"
    services = bootstrap(url)
    services.deploy([SRO_PROCESSES], actor="test")
    report = seed(services, cases=CASES, now=NOW)
    yield Seeded(services.engine.database, report)
    services.engine.database.dispose()


def test_every_demo_instance_restores_as_the_library_restores_it(seeded: Seeded) -> None:
    from engine.runtime.clock import SimulatedClock
    from tests.integration.test_state_restore import assert_restored_alike

    services = bootstrap(database=seeded.database, clock=SimulatedClock(NOW), migrate=False)
    assert assert_restored_alike(services, minimum_tasks=3) > 100  # deltas that delete variables are restored too


def test_accounts_per_role_and_team(seeded: Seeded) -> None:
    with seeded.database.session() as session:
        staff = list(session.scalars(select(StaffMember)))
    assert len(staff) == len(ACCOUNTS) == 18
    assert Counter(member.role for member in staff) == {"ifk": 12, "teamleitung": 3, "prozessverantwortung": 1,
                                                         "qa": 1, "admin": 1}
    for team in ("nord", "sued", "mitte"):
        counsellors = [member for member in staff if member.role == "ifk" and member.team == team]
        assert len(counsellors) == 4
        assert sorted(member.fte for member in counsellors)[0] in {0.5, 0.75}
        assert [member.role for member in staff if member.role == "teamleitung" and member.team == team]
    assert all(member.team is None for member in staff if member.role in {"prozessverantwortung", "qa", "admin"})
    assert TEAMS == {"nord": "Team Nord", "sued": "Team Süd", "mitte": "Team Mitte"}
    assert all(len(account.password) >= 10 for account in ACCOUNTS)


def test_demo_passwords_sign_in(seeded: Seeded) -> None:
    workplace = Workplace(bootstrap(database=seeded.database, migrate=False))
    for account in (ACCOUNTS[0], ACCOUNTS[4], ACCOUNTS[-1]):  # an IFK, a team lead, the admin
        member = workplace.authenticate(account.username, account.password)
        assert member is not None and member.role == account.role
    table = sign_in_table()
    assert "nur für Vorführungen" in table
    assert all(account.username in table and account.password in table for account in ACCOUNTS)


def test_cases_spread_over_teams_counsellors_and_priority_groups(seeded: Seeded) -> None:
    assert seeded.report.problems == []
    assert seeded.report.cases_created == CASES
    with seeded.database.session() as session:
        cases = session.execute(select(Case.customer_number, Case.team, Case.counsellor, Case.priority_group)).all()
    assert len(cases) == CASES
    assert all(re.fullmatch(r"\d{3}D\d{6}", case.customer_number) for case in cases)
    assert Counter(case.team for case in cases) == {"nord": 40, "sued": 40, "mitte": 40}
    counsellors = {account.username: account.team for account in ACCOUNTS if account.role == "ifk"}
    assert all(counsellors[case.counsellor] == case.team for case in cases)
    assert len({case.counsellor for case in cases}) == 12
    assert {case.priority_group for case in cases} == {1, 2, 3, 4, 5, 6}


def test_cases_wait_in_many_phases_with_history(seeded: Seeded) -> None:
    with seeded.database.session() as session:
        kinds = Counter(session.scalars(select(OpenTask.element_id)))
        timers = list(session.scalars(select(Wait.element_id).where(Wait.kind == "timer")))
        due_timers = session.scalar(select(func.count(Wait.id)).where(Wait.kind == "timer", Wait.due_at <= NOW))
        overdue = session.scalar(select(func.count(OpenTask.id)).where(OpenTask.due_at < NOW))
        ahead = session.scalar(select(func.count(OpenTask.id)).where(OpenTask.follow_up_at > NOW))
        events = session.scalar(select(func.count(Event.id)).where(Event.case_id.is_not(None)))
        data = list(session.scalars(select(Case.data)))
    # many phases: the open tasks and the timers cases wait at (a case under the exception waits half a year)
    assert len(kinds) >= 4 and len(set(kinds) | set(timers)) >= 7, (kinds, Counter(timers))
    assert {"Task_Erstgespraech", "Task_Beratungsgespraech", "Task_SchrittPruefen"} <= set(kinds)
    assert "Event_SchrittFaellig" in timers
    assert due_timers == 0  # everything due by now has fired
    assert overdue and ahead  # some tasks overdue, some Wiedervorlagen still ahead
    assert events is not None and events > 6 * CASES
    assert any(case.get("minderungen") for case in data)  # reductions recorded in case data
    assert any(case.get("modus") == "fremdbestimmt" for case in data)
    phases = overview(bootstrap(database=seeded.database, migrate=False), NOW).phases
    assert len(phases) >= 8, phases


def test_history_holds_the_concepts_paths(seeded: Seeded) -> None:
    with seeded.database.session() as session:
        passed = set(session.scalars(select(Event.element_id).where(Event.element_id.is_not(None))))
    assert {"Task_PlanUeberpruefen", "Task_GruendeBesprechen",  # plan reviewed, step not done
            "Task_SchlichtungAnbieten", "Task_SlErgebnis",  # no plan: conciliation (Bürgergeld)
            "StartEvent_Meldeversaeumnis", "Task_MvPruefen", "Task_MvBescheid",  # missed appointment, reduction
            "Task_AfErstellen", "Task_AnhoerungEinleiten", "Task_GrundPruefen", "Task_AfBescheid",  # demand, hearing
            } <= passed


def test_sessions_this_week_are_the_counsellors(seeded: Seeded) -> None:
    local = NOW.astimezone(BERLIN)
    monday = datetime.combine(local.date() - timedelta(days=local.weekday()), time(0, 0), BERLIN)
    with seeded.database.session() as session:
        this_week = session.execute(select(CounsellingSession.counsellor, Case.counsellor.label("owner"))
                                    .join(Case, Case.id == CounsellingSession.case_id)
                                    .where(CounsellingSession.held_at >= monday,
                                           CounsellingSession.held_at <= NOW)).all()
        later = session.scalar(select(func.count(CounsellingSession.id)).where(CounsellingSession.held_at > NOW))
    assert len(this_week) >= 3
    assert all(row.counsellor == row.owner for row in this_week)
    assert later == 0  # nothing happened after "now"
    assert seeded.report.overview is not None and seeded.report.overview.sessions_this_week == len(this_week)


def test_seeding_twice_creates_nothing(seeded: Seeded) -> None:
    def counts() -> tuple[int, ...]:
        with seeded.database.session() as session:
            return tuple(session.scalar(select(func.count()).select_from(model)) or 0
                         for model in (StaffMember, Case, Event, OpenTask, CounsellingSession))

    before = counts()
    again = seed(bootstrap(database=seeded.database, migrate=False), cases=CASES, now=NOW + timedelta(days=1))
    assert (again.accounts_created, again.cases_created, again.commands) == (0, 0, 0)
    assert counts() == before


# ------------------------------------------------------------------------- the calendar of a demo week
# The full demo caseload (as `sro demo` seeds it), so that each IFK has a working week to look at.


@pytest.fixture(scope="module")
def full_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo-full') / 'demo.sqlite3'}"
    services = bootstrap(url)
    services.deploy([SRO_PROCESSES], actor="test")
    report = seed(services, cases=DEFAULT_CASES, now=NOW)
    yield Seeded(services.engine.database, report)
    services.engine.database.dispose()


def week_per_fte(seeded: Seeded) -> dict[str, float]:
    """Planned and held appointments of the demo week per IFK, divided by the IFK's full-time equivalents."""
    monday = NOW.astimezone(BERLIN).date() - timedelta(days=NOW.astimezone(BERLIN).weekday())
    begin = datetime.combine(monday, time(0, 0), BERLIN)
    with seeded.database.session() as session:
        fte = {member.username: member.fte for member in session.scalars(
            select(StaffMember).where(StaffMember.role == "ifk"))}
        counts = Counter(session.scalars(select(Appointment.counsellor).where(
            Appointment.starts_at >= begin, Appointment.starts_at < begin + timedelta(days=7),
            Appointment.status.in_((PLANNED, HELD)))))
    return {name: round(counts[name] / fte[name], 1) for name in sorted(fte)}


def test_the_demo_week_holds_about_20_sessions_per_fte(full_demo: Seeded) -> None:
    figures = week_per_fte(full_demo)
    with full_demo.database.session() as session:
        stale = session.scalar(select(func.count(Appointment.id)).where(Appointment.status == PLANNED,
                                                                       Appointment.starts_at <= NOW)) or 0
        left = session.scalar(select(func.count(FollowUp.id)).where(FollowUp.done_at.is_(None),
                                                                    FollowUp.due_on < NOW.date())) or 0
        # a running case always has something to do or to wait for besides a missed appointment
        busy = (select(OpenTask.instance_id).union(select(Wait.instance_id).where(
            Wait.element_id != "StartEvent_Meldeversaeumnis")))
        stuck = session.scalar(select(func.count(ProcessInstance.id)).where(
            ProcessInstance.status == RUNNING, ProcessInstance.id.not_in(busy))) or 0
        monday = datetime.combine(NOW.astimezone(BERLIN).date() - timedelta(days=2), time(0, 0), BERLIN)
        around = list(session.scalars(select(Appointment.starts_at).where(  # four whole weeks
            Appointment.status.in_((PLANNED, HELD)), Appointment.starts_at >= monday - timedelta(days=14),
            Appointment.starts_at < monday + timedelta(days=14))))
    assert stale == 0, f"{stale} geplante Termine liegen in der Vergangenheit"
    assert left == 0, f"{left} offene Wiedervorlagen liegen in der Vergangenheit"
    assert stuck == 0, f"{stuck} laufende Fälle ohne Aufgabe und ohne Frist"
    weekdays = Counter(moment.astimezone(BERLIN).weekday() for moment in around)
    assert set(weekdays) == {0, 1, 2, 3, 4}
    # no day of the week piled up (the days of the weekend all moved to Monday gave it three times the others)
    assert max(weekdays.values()) <= 1.75 * min(weekdays.values()), weekdays
    # about 20 per full-time IFK: the office as a whole close to it, each IFK's week within half of it either
    # way (a week's appointments vary from person to person as real calendars do)
    assert 0.8 * 20 <= sum(figures.values()) / len(figures) <= 1.2 * 20, figures
    assert all(0.5 * 20 <= value <= 1.5 * 20 for value in figures.values()), figures


def test_every_ifk_has_a_realistic_week_in_the_calendar(full_demo: Seeded) -> None:
    assert full_demo.report.problems == []
    monday = NOW.astimezone(BERLIN).date() - timedelta(days=NOW.astimezone(BERLIN).weekday())
    begin = datetime.combine(monday, time(0, 0), BERLIN)
    with full_demo.database.session() as session:
        fte = {member.username: member.fte for member in session.scalars(
            select(StaffMember).where(StaffMember.role == "ifk"))}
        week = list(session.scalars(select(Appointment).where(Appointment.starts_at >= begin,
                                                              Appointment.starts_at < begin + timedelta(days=7))))
        everything = list(session.scalars(select(Appointment)))
        open_follow_ups = list(session.scalars(select(FollowUp.due_on).where(FollowUp.done_at.is_(None))))
        contacts = session.scalar(select(func.count(Contact.id))) or 0
        sessions = session.scalar(select(func.count(CounsellingSession.id))) or 0
        unlinked = session.scalar(select(func.count(CounsellingSession.id)).where(
            ~CounsellingSession.id.in_(select(Appointment.session_id).where(Appointment.session_id.is_not(None)))))
    per_ifk = Counter(appointment.counsellor for appointment in week if appointment.status in (PLANNED, HELD))
    print("Termine (geplant und wahrgenommen) der Woche je VZÄ:", week_per_fte(full_demo))
    local_now = NOW.astimezone(BERLIN)
    assert all(a.starts_at <= NOW for a in week if a.status in (HELD, MISSED))
    assert {a.status for a in week} == {PLANNED, HELD, MISSED, CANCELLED}
    assert {a.status for a in week if a.starts_at.astimezone(BERLIN).date() < local_now.date()} >= {HELD}
    # every appointment on a working day within 08:00-16:00, no slot taken twice
    for appointment in everything:
        local = appointment.starts_at.astimezone(BERLIN)
        assert is_working_day(local.date()), local
        assert time(8, 0) <= local.time() and (local + timedelta(minutes=appointment.minutes)).time() <= time(16, 0)
    taken = Counter((a.counsellor, a.starts_at) for a in everything if a.status in (PLANNED, HELD))
    assert max(taken.values()) == 1
    # free slots are left this week, Wiedervorlagen come due on various days ahead, contacts are kept
    assert all(per_ifk[name] < 10 * 5 for name in fte)
    ahead = {day for day in open_follow_ups if day >= local_now.date()}
    assert len(ahead) >= 10
    assert contacts > 100
    assert unlinked == 0 and sessions > 20 * 12  # every held session was an appointment
