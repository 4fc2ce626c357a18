"""The caseload driver: made-up clients worked through the real diagrams by simulated counsellors, in time.

Each case is a made-up client whose behaviour comes from a behaviour file (behaviour.py); the counsellors
answer every task the diagrams open with plausible form data (answers.py), and every command goes through
the service functions of production (start_case, complete_task, deliver_message, fire_due_timers) on a
simulated clock. Nothing is modelled beside the engine: which task comes next, when a timer fires, whether
a missed appointment leads to a reduction — the diagrams and decision tables decide.

The same driver serves two configurations, which differ only in the strategy objects they pass:
- the projection (`AtNoon`, `TakenInTurn`): a throwaway in-memory database per worker process, everything
  of one day at noon, counsellors `ifk-1` … `ifk-k` dealt the cases in turn;
- the demo caseload (`OfficeHours`, engine/demo): the database it is given, sessions at times within
  working hours, counsellors of each team chosen by their FTE.
Every case draws from its own `random.Random`, seeded from the run's seed and the case number, so a run is
reproducible and does not depend on which other cases share its database.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any, Protocol

from sqlalchemy import CompoundSelect, bindparam, literal, null, select, union_all

from engine.domain.actions import deadline_end
from engine.runtime import dmn
from engine.runtime.clock import BERLIN, SimulatedClock, berlin_date, berlin_midnight
from engine.runtime.formatting import date_text
from engine.runtime.store import OpenTask, Wait
from engine.services import Services
from engine.simulation.projection.answers import (
    MESSAGES,
    MISSED,
    MISSED_APPOINTMENT,
    POSTPONED,
    CaseNotes,
    Counsellor,
    weighted,
    working_day_near,
)
from engine.simulation.projection.behaviour import Behaviour, Intake

NOON = time(12, 0)
WORK_START, WORK_END = time(7, 30), time(16, 30)
LATEST_SQUEEZE = time(10, 30)  # see OfficeHours.squeeze_before
MAX_STEPS_AT_ONCE = 50
TIMER_BATCH = 1000

# What one case waits for, in one statement: its open tasks and its waits (timers, messages).
_WAITING: CompoundSelect[Any] = union_all(
    select(literal("task").label("kind"), OpenTask.id.label("ref"), OpenTask.element_id,
           OpenTask.element_id.label("name"), OpenTask.created_at.label("at"), OpenTask.follow_up_at)
    .where(OpenTask.case_id == bindparam("case_id")),
    select(Wait.kind, Wait.task_id, Wait.element_id, Wait.name, Wait.due_at.label("at"), null())
    .where(Wait.case_id == bindparam("case_id")))


# ---------------------------------------------------------------------------------------------- strategies


@dataclass(frozen=True)
class Assignment:
    """Who a case is: its customer number, team and counsellor."""

    number: str
    team: str
    counsellor: str


@dataclass(frozen=True)
class TakenInTurn:
    """The projection's counsellors `ifk-1` … `ifk-k` (ids, not names), dealt the cases in turn."""

    count: int
    team: str = "projektion"

    @property
    def names(self) -> list[str]:
        return [f"ifk-{number}" for number in range(1, self.count + 1)]

    def __call__(self, index: int) -> Assignment:
        return Assignment(f"P{index + 1:06d}", self.team, f"ifk-{index % self.count + 1}")


class Timing(Protocol):
    """When things happen within a day."""

    def opening(self, start: date) -> datetime:
        """When the cases there from the first day are opened."""

    def day_begins(self, day: date) -> datetime | None:
        """A moment of the day at which every due timer fires, or None."""

    def moment(self, day: date, rng: random.Random, now: datetime) -> datetime:
        """When something planned for `day` happens: that day or the next working day, never before `now`."""

    def after_timer(self, due: datetime) -> datetime:
        """When a case is looked at again once its timer is due."""


def _at(day: date, clock_time: time) -> datetime:
    """A time of day on a Berlin day, in UTC."""
    return datetime.combine(day, clock_time, BERLIN).astimezone(UTC)


@dataclass(frozen=True)
class AtNoon:
    """The projection: everything of one working day happens at noon; timers fire at noon every day."""

    def opening(self, start: date) -> datetime:
        return _at(start, NOON) - timedelta(hours=2)

    def day_begins(self, day: date) -> datetime | None:
        return _at(day, NOON)

    def moment(self, day: date, rng: random.Random, now: datetime) -> datetime:
        return _at(deadline_end(day), NOON)

    def after_timer(self, due: datetime) -> datetime:
        day = berlin_date(due)
        return _at(deadline_end(day if _at(day, NOON) >= due else day + timedelta(days=1)), NOON)


@dataclass(frozen=True)
class OfficeHours:
    """The demo: things happen at a random time within working hours on working days.

    `squeeze` (from `squeeze_before`) is the window that day's work moves into when the run ends early on
    the first working day of a week: without it that week would show no sessions at all.
    """

    end: datetime
    squeeze: tuple[datetime, datetime] | None = None

    @classmethod
    def until(cls, end: datetime) -> OfficeHours:
        return cls(end, cls.squeeze_before(end))

    @staticmethod
    def squeeze_before(end: datetime) -> tuple[datetime, datetime] | None:
        local = end.astimezone(BERLIN)
        today = local.date()
        monday = today - timedelta(days=today.weekday())
        earlier_workdays = [day for day in (monday + timedelta(days=n) for n in range(today.weekday()))
                            if deadline_end(day) == day]
        if earlier_workdays or deadline_end(today) != today or local.time() >= LATEST_SQUEEZE:
            return None
        return max(berlin_midnight(today), end - timedelta(hours=3)), end - timedelta(minutes=1)

    def opening(self, start: date) -> datetime:
        return _at(deadline_end(start), WORK_START)

    def day_begins(self, day: date) -> datetime | None:
        return None  # a case whose timer is due is looked at then (after_timer)

    def moment(self, day: date, rng: random.Random, now: datetime) -> datetime:
        day = deadline_end(day)
        begin, stop = _at(day, WORK_START), _at(day, WORK_END)
        if self.squeeze is not None and day == berlin_date(self.end):
            begin, stop = self.squeeze
        moment = (begin + (stop - begin) * rng.random()).replace(microsecond=0)
        return max(moment, now + timedelta(minutes=1))

    def after_timer(self, due: datetime) -> datetime:
        return due


# ---------------------------------------------------------------------------------------------- the driver


@dataclass
class Client:
    """One case as the driver sees it; what the engine holds is read from the database."""

    index: int
    who: Assignment
    notes: CaseNotes
    first_day: date  # of the Erstgespräch (the start's naechsterKontaktAm)
    arrival: datetime | None  # None: there from the run's first day
    case_id: int = 0
    generation: int = 0  # of the one pending look; older heap entries are stale
    planned: dict[str, tuple[datetime, str]] = field(default_factory=dict)  # task id -> when, what
    messages: dict[str, datetime | None] = field(default_factory=dict)  # waiting event's task id -> delivery
    stopped: bool = False


@dataclass
class Counts:
    """What the driver did so far."""

    commands: int = 0
    timers_fired: int = 0
    cases_started: int = 0
    types: Counter[str] = field(default_factory=Counter)
    problems: list[tuple[int, str]] = field(default_factory=list)  # case index, German text


class CaseloadDriver:
    """Runs cases from the first day `start` up to the moment `end` (nothing happens at or after it) on
    `services`, whose clock is `clock`.

    `day_ended` hooks run after each day's work with the counts so far (weekly counts, progress reports).
    The processes must be deployed.
    """

    def __init__(self, services: Services, clock: SimulatedClock, behaviour: Behaviour,
                 decisions: Mapping[str, dmn.DeployedDecision], *, seed: int, start: date, end: datetime,
                 timing: Timing,
                 assign: Callable[[int], Assignment], day_ended: Sequence[Callable[[date, Counts], None]] = ()) -> None:
        self.services, self.clock, self.behaviour = services, clock, behaviour
        self.seed, self.start, self.end, self.timing, self.assign = seed, start, end, timing, assign
        self.day_ended = day_ended
        self.counsellor = Counsellor(decisions, clock, behaviour.texts,
                                     lambda task_id: services.task_form(task_id)[2])
        self.database = services.engine.database
        self.counts = Counts()
        self.clients: dict[int, Client] = {}
        self.heap: list[tuple[datetime, int, int]] = []  # when, case index, generation

    @property
    def today(self) -> date:
        return self.clock.today()

    def client(self, index: int) -> Client:
        """Case `index`: its own random generator, its type, and when it comes."""
        behaviour = self.behaviour
        rng = random.Random(self.seed * 1_000_003 + index)  # noqa: S311  (simulation, not security)
        types = behaviour.types
        kind = types[0] if len(types) == 1 else weighted(rng, [(item, item.share) for item in types])
        arrival = None
        if behaviour.intake is not None and self.arrival_days and rng.random() < behaviour.intake.share:
            days = self.arrival_days
            arrival = self.timing.moment(days[int(len(days) * _rising(behaviour.intake, rng.random()))], rng,
                                         self.clock.now())
            first = working_day_near(rng, berlin_date(arrival) + timedelta(days=rng.randint(7, 14)),
                                     berlin_date(arrival))
        else:
            first = working_day_near(rng, self.start + timedelta(days=rng.randrange(behaviour.ramp_days)),
                                     self.start - timedelta(days=1))
        self.counts.types[kind.name] += 1
        return Client(index, self.assign(index), CaseNotes(kind, rng), first, arrival)

    @cached_property
    def arrival_days(self) -> list[date]:
        """The working days a case can arrive on: from the first day to the one before the end's day."""
        days = (self.start + timedelta(days=offset) for offset in range((berlin_date(self.end) - self.start).days))
        return [day for day in days if deadline_end(day) == day]

    # ------------------------------------------------------------------ time

    def run(self, indices: Iterable[int]) -> Counts:
        clients = [self.client(index) for index in indices]
        self.clients = {client.index: client for client in clients}
        self.advance(self.timing.opening(self.start))
        for client in clients:
            if client.arrival is None:
                self.look(client)
            else:
                self.schedule(client, client.arrival)
        day = self.start
        while berlin_midnight(day) < self.end:
            begins = self.timing.day_begins(day)
            if begins is not None and begins < self.end:
                self.advance(begins)
                self.fire()
            stop = min(berlin_midnight(day + timedelta(days=1)), self.end)
            while self.heap and self.heap[0][0] < stop:
                when, index, generation = heapq.heappop(self.heap)
                client = self.clients[index]
                if generation == client.generation and not client.stopped:
                    self.advance(when)
                    self.look(client)
            for hook in self.day_ended:
                hook(day, self.counts)
            day += timedelta(days=1)
        return self.counts

    def advance(self, moment: datetime) -> None:
        """Move the clock on to `moment` (never back)."""
        if moment > self.clock.now():
            self.clock.set(moment)

    def schedule(self, client: Client, when: datetime) -> None:
        client.generation += 1
        heapq.heappush(self.heap, (when, client.index, client.generation))

    def fire(self) -> None:
        while True:
            fired = self.services.fire_due_timers(limit=TIMER_BATCH, actor="zeitgeber")
            self.counts.timers_fired += fired
            self.counts.commands += fired
            if fired < TIMER_BATCH:
                return

    # ------------------------------------------------------------------ one case

    def look(self, client: Client) -> None:
        """Open the case if it is new; do what is due in it now, then plan its next look."""
        try:
            if not client.case_id:
                self.open(client)
            self._look(client)
        except Exception as error:  # one odd case is reported, the run goes on
            client.stopped = True
            self.counts.problems.append((client.index, f"{client.who.number} am {date_text(self.today)}: "
                                                       f"{type(error).__name__}: {error}"))

    def open(self, client: Client) -> None:
        who = client.who
        outcome = self.services.start_case(who.number, who.team, counsellor=who.counsellor,
                                           data={"naechsterKontaktAm": client.first_day}, actor=who.counsellor)
        client.case_id = outcome.case_id
        self.counts.cases_started += 1
        self.counts.commands += 1

    def _look(self, client: Client) -> None:
        now = self.clock.now()
        for _ in range(MAX_STEPS_AT_ONCE):
            with self.database.engine.connect() as connection:
                rows = connection.execute(_WAITING, {"case_id": client.case_id}).all()
            tasks = sorted((row for row in rows if row.kind == "task"), key=lambda row: (row.at, row.element_id))
            waits = [row for row in rows if row.kind != "task"]
            timers = [row.at for row in waits if row.kind == "timer" and row.at is not None]
            if timers and min(timers) <= now:
                self.fire()
                continue
            open_ids = {row.ref for row in tasks}
            client.planned = {key: value for key, value in client.planned.items() if key in open_ids}
            due = None
            for row in tasks:
                if row.ref not in client.planned:
                    client.planned[row.ref] = self.plan_task(client, row.element_id, row.at, row.follow_up_at)
                if client.planned[row.ref][0] <= now and due is None:
                    due = row
            if due is not None:
                self.act(client, due.ref, due.element_id)
                continue
            deliveries = self.plan_messages(client, waits)
            ready = [name for when, name in deliveries if when <= now]
            if ready:
                self.services.deliver_message(client.case_id, ready[0], {}, actor=client.who.counsellor)
                self.counts.commands += 1
                continue
            moments = [when for when, _ in client.planned.values()] + [when for when, _ in deliveries]
            if timers:
                moments.append(self.timing.after_timer(min(timers)))
            if moments:
                self.schedule(client, min(moments))
            return
        raise RuntimeError(f"Der Fall kam nicht zur Ruhe (mehr als {MAX_STEPS_AT_ONCE} Schritte auf einmal).")

    def plan_task(self, client: Client, element: str, created: datetime,
                  follow_up: datetime | None) -> tuple[datetime, str]:
        """When a newly opened task is worked, and how (worked, or the client stays away or cancels)."""
        day, what = self.counsellor.plan(client.notes, element, created, follow_up, self.today)
        return self.timing.moment(day, client.notes.rng, self.clock.now()), what

    def plan_messages(self, client: Client, waits: Sequence[Any]) -> list[tuple[datetime, str]]:
        """Proofs, statements and the end of conciliation arrive (or not) before their deadline."""
        deliveries: list[tuple[datetime, str]] = []
        notes = client.notes
        for wait in waits:
            if wait.kind != "message" or wait.name not in MESSAGES:
                continue
            if wait.ref not in client.messages:
                deadline = next((row.at for row in waits if row.element_id in MESSAGES[wait.name]), None)
                day = self.counsellor.message_day(notes, wait.name, deadline, self.today)
                client.messages[wait.ref] = (self.timing.moment(day, notes.rng, self.clock.now())
                                             if day is not None else None)
            planned = client.messages[wait.ref]
            if planned is not None:
                deliveries.append((planned, wait.name))
        return deliveries

    def act(self, client: Client, task_id: str, element: str) -> None:
        _, what = client.planned.pop(task_id)
        notes, actor = client.notes, client.who.counsellor
        if what == MISSED:
            notes.missed_on = self.today
            self.services.deliver_message(client.case_id, MISSED_APPOINTMENT, {}, actor=actor)
        elif what == POSTPONED:
            day, attendance = self.counsellor.postponed(notes, element, self.today)
            client.planned[task_id] = self.timing.moment(day, notes.rng, self.clock.now()), attendance
            return
        else:
            form = self.counsellor.form(notes, element, task_id, self.today)
            self.services.complete_task(task_id, form, actor=actor)
            self.counsellor.after(notes, element, form)
        self.counts.commands += 1


def _rising(intake: Intake, share: float) -> float:
    """Where in the run (0 to 1) the arrival falls whose share of all arrivals before it is `share`, when the
    arrivals a day grow evenly from 1 to `intake.rise` (the inverse of their cumulative distribution)."""
    rise = intake.rise
    if rise == 1:
        return share
    return float((-1 + (1 + (rise * rise - 1) * share) ** 0.5) / (rise - 1))
