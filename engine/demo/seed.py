"""Seeding the demo: the accounts, then over a thousand pseudonymous cases with nine months of history.

The cases are the clients of the behaviour file verhalten.yaml next to this module, worked by the caseload
driver of the projection (engine/simulation/projection/driver.py) on the database given, through the real
service functions, on a simulated clock from about nine months before now up to now: sessions on the
agreed dates within working hours, plans with dated steps, checks, talks about reasons, reviews,
exceptions with a six-month report, missed appointments, demands and hearings. Nothing is written around
the engine, so every case has a genuine event log and its state is what the diagrams make of it. A
seeded random generator keeps the caseload reproducible.

All data are invented: customer numbers are pseudonyms, clients have no names at all, and the staff
names are made up.
"""

from __future__ import annotations

import random
import time as timer
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from engine.bootstrap import bootstrap
from engine.demo.accounts import ACCOUNTS, COUNSELLORS, OFFICES, TEAMS
from engine.demo.calendar import CalendarDriver
from engine.demo.overview import Overview, overview
from engine.domain.case import Case
from engine.domain.staff import COUNSELLOR, StaffMember
from engine.runtime.clock import SimulatedClock, berlin_date, berlin_midnight
from engine.runtime.formatting import date_text
from engine.runtime.store import Database
from engine.services import Services
from engine.simulation.projection.answers import plan_terms, read_decisions
from engine.simulation.projection.behaviour import load_behaviour
from engine.simulation.projection.driver import Assignment, Counts, OfficeHours
from engine.workplace.commands import Workplace

BEHAVIOUR = Path(__file__).with_name("verhalten.yaml")
DEFAULT_CASES = 1200
DEFAULT_SEED = 20251124
MONTHS = 9
STAFF_BEFORE = timedelta(days=3, hours=7)  # the staff exist before the first case: 07:00 three days earlier


@dataclass
class DemoReport:
    """What `seed` did, and the caseload as it stands afterwards."""

    accounts_created: int = 0
    cases_created: int = 0
    commands: int = 0
    timers_fired: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    overview: Overview | None = None


class TeamsByFte:
    """Who the demo cases are: the teams in turn, within a team the counsellor with the fewest cases for
    their FTE (as a team lead balances caseloads; drawing by FTE left a half-time IFK with 88 cases per FTE
    beside colleagues with 121, and half the sessions a week), and a pseudonymous customer number with the
    team's office prefix (e.g. 901D123456)."""

    def __init__(self, rng: random.Random, count: int) -> None:
        teams = list(TEAMS)
        numbers = rng.sample(range(1, 1_000_000), count)
        held: Counter[str] = Counter()
        self.assignments: list[Assignment] = []
        for index in range(count):
            team = teams[index % len(teams)]
            counsellor = min(COUNSELLORS[team], key=lambda account: ((held[account.username] + 1) / account.fte,
                                                                     rng.random()))
            held[counsellor.username] += 1
            self.assignments.append(Assignment(f"{OFFICES[team]}D{numbers[index]:06d}", team, counsellor.username))

    def __call__(self, index: int) -> Assignment:
        return self.assignments[index]


@dataclass
class _Progress:
    """A line at a quarter, half and three quarters of the simulated months."""

    say: Callable[[str], None]
    marks: list[date]

    def day_ended(self, day: date, counts: Counts) -> None:
        while self.marks and day >= self.marks[0]:
            self.marks.pop(0)
            self.say(f"  … {date_text(day)}: {counts.cases_started} Fälle, {counts.commands} Schritte, "
                     f"{counts.timers_fired} Zeitereignisse")


def existing_accounts(database: Database) -> set[str]:
    with database.session() as session:
        names = [account.username for account in ACCOUNTS]
        return set(session.scalars(select(StaffMember.username).where(StaffMember.username.in_(names))))


def seed(services: Services, *, cases: int = DEFAULT_CASES, now: datetime | None = None,
         seed_value: int = DEFAULT_SEED, progress: Callable[[str], None] | None = None) -> DemoReport:
    """Create the demo accounts and caseload; with the demo accounts present already, change nothing.

    The caseload is built on a simulated clock from about nine months before `now` (default: the
    services' clock) up to `now`; then every timer due by now has fired. The processes must be deployed.
    """
    began = timer.perf_counter()
    database = services.engine.database
    end = (now or services.clock.now()).astimezone(UTC)
    report = DemoReport()
    present = existing_accounts(database)
    if len(present) == len(ACCOUNTS):
        report.seconds = timer.perf_counter() - began
        return report
    start = berlin_date(end) - relativedelta(months=MONTHS)
    clock = SimulatedClock(berlin_midnight(start) - STAFF_BEFORE)
    simulated = bootstrap(database=database, clock=clock, migrate=False)
    workplace = Workplace(simulated)
    for account in ACCOUNTS:
        if account.username not in present:
            workplace.add_staff(account.username, account.display_name, account.role, account.password,
                                team=account.team, fte=account.fte, actor="demo")
            report.accounts_created += 1
    with database.session() as session:
        counsellors = [account.username for account in ACCOUNTS if account.role == COUNSELLOR]
        if session.scalar(select(func.count(Case.id)).where(Case.counsellor.in_(counsellors))):
            report.seconds = timer.perf_counter() - began
            return report  # a caseload from an earlier run: keep it
    documents = simulated.deployed_documents()
    behaviour = load_behaviour(BEHAVIOUR, plan_terms(documents))
    hooks = []
    if progress is not None:
        span = (berlin_date(end) - start).days
        hooks.append(_Progress(progress, [start + timedelta(days=round(span * share))
                                          for share in (0.25, 0.5, 0.75)]).day_ended)
        progress(f"Demo-Fallbestand: {cases} Fälle vom {date_text(start)} bis heute ({date_text(end)}) …")
    driver = CalendarDriver(simulated, clock, behaviour, read_decisions(documents), seed=seed_value, start=start,
                            end=end, timing=OfficeHours.until(end),
                            assign=TeamsByFte(random.Random(seed_value), cases),  # noqa: S311  (demo data)
                            day_ended=hooks, workplace=workplace)
    counts = driver.run(range(cases))
    driver.advance(end)
    driver.fire()  # everything due by now has fired
    # The seeding took a while: let the clock catch up with real time so no timer is left overdue.
    if now is None:
        driver.advance(services.clock.now())
        driver.fire()
    report.cases_created, report.commands, report.timers_fired = (counts.cases_started, counts.commands,
                                                                  counts.timers_fired)
    report.problems = [problem for _, problem in sorted(counts.problems)]
    report.seconds = timer.perf_counter() - began
    report.overview = overview(simulated, clock.now())
    return report
