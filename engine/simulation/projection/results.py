"""What a projection counts per week from each worker's database, and how the counts add up to the result.

The result: weekly rows (Monday to Sunday), a summary, JSON and the German summary lines.

Counted per week:
- sessions held per counsellor (table `counselling_sessions`; the concept's minimum is
  SESSIONS_PER_WEEK_PER_FTE per VZÄ and week),
- demands issued (completed `Task_AfErstellen`), reductions recorded (`Task_MvMinderungErfassen`,
  `Task_AfMinderungErfassen` in the event log), missed appointments (message `Meldeversaeumnis`),
- cases without a next contact at the end of the week (`cases.next_contact_on` empty or passed), and of
  those the ones a pending timer (e.g. a step's Wiedervorlage while a plan runs) will bring back.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, bindparam, text

from engine.domain.staff import SESSIONS_PER_WEEK_PER_FTE
from engine.runtime.clock import Clock, berlin_date
from engine.runtime.formatting import date_text
from engine.runtime.store import Database, UtcDateTime
from engine.simulation.projection.behaviour import Behaviour

REDUCTION_ELEMENTS = {"Task_MvMinderungErfassen": "meldeversaeumnis", "Task_AfMinderungErfassen": "pflichtverletzung"}
_WITHOUT_CONTACT = text(
    "SELECT count(*), coalesce(sum(EXISTS (SELECT 1 FROM waits w WHERE w.case_id = c.id AND w.kind = 'timer' "
    "AND w.due_at > :now)), 0) FROM cases c WHERE c.next_contact_on IS NULL OR c.next_contact_on < :day"
).bindparams(bindparam("now", type_=UtcDateTime()), bindparam("day", type_=Date()))
# The names in the JSON output, which predate the glossary's `counsellor` (readers of the files rely on them).
_JSON_NAMES = {"caseload_per_counsellor": "caseload_per_ifk", "sessions_per_counsellor_week": "sessions_per_ifk_week",
               "sessions_per_counsellor_week_second_half": "sessions_per_ifk_week_second_half",
               "sessions_per_counsellor_week_max": "sessions_per_ifk_week_max"}


@dataclass
class WeekRow:
    """One week (Monday to Sunday) of the projection."""

    week: int  # 1-based
    monday: date
    sessions_per_counsellor: dict[str, int]
    in_person: int = 0
    by_phone: int = 0
    demands: int = 0
    reductions_missed_appointment: int = 0  # § 32 (Meldeversäumnis)
    reductions_breach: int = 0  # § 31 (Pflichtverletzung after a demand)
    missed_appointments: int = 0
    without_next_contact: int = 0  # at the week's end
    without_next_contact_timer_pending: int = 0  # of those: a pending timer (e.g. a step's Wiedervorlage)

    @property
    def sessions(self) -> int:
        return sum(self.sessions_per_counsellor.values())

    @property
    def reductions(self) -> int:
        return self.reductions_missed_appointment + self.reductions_breach

    @property
    def mean_per_counsellor(self) -> float:
        return self.sessions / len(self.sessions_per_counsellor) if self.sessions_per_counsellor else 0.0


@dataclass
class Summary:
    case_years: float
    weeks: int
    caseload_per_counsellor: float
    sessions_per_counsellor_week: float  # mean over all weeks and counsellors
    sessions_per_counsellor_week_second_half: float  # mean over the second half of the weeks (after the start-up)
    sessions_per_counsellor_week_max: int  # the busiest counsellor in the busiest week
    weeks_below_minimum: int  # weeks whose mean per counsellor is below SESSIONS_PER_WEEK_PER_FTE
    sessions: int
    demands: int
    reductions: int
    reductions_missed_appointment: int
    reductions_breach: int
    missed_appointments: int
    without_next_contact_mean: float
    without_next_contact_last: int
    types: dict[str, int]
    commands: int
    timers_fired: int


@dataclass
class ProjectionResult:
    behaviour: str  # the name in the file
    file: str
    cases: int
    months: int
    counsellors: int
    seed: int
    workers: int
    start: date
    end: date
    weeks: list[WeekRow]
    summary: Summary
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0  # wall-clock time of the whole run
    worker_cpu_seconds: list[float] = field(default_factory=list)  # CPU time of each worker


# ---------------------------------------------------------------------------------------------- one worker


@dataclass
class Partial:
    """What one worker counted; plain values, so it pickles back to the parent."""

    sessions: dict[tuple[int, str, str], int] = field(default_factory=dict)  # (week, counsellor, kind) -> count
    demands: dict[int, int] = field(default_factory=dict)
    reductions: dict[tuple[int, str], int] = field(default_factory=dict)
    missed: dict[int, int] = field(default_factory=dict)
    without_contact: dict[int, tuple[int, int]] = field(default_factory=dict)
    types: dict[str, int] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)
    commands: int = 0
    timers_fired: int = 0
    cpu_seconds: float = 0.0  # the worker's own CPU time (setup included), independent of other load


class Tally:
    """Counts one worker's database (SQLite) into a Partial: cases without a next contact every Sunday (as the
    run goes on), everything else from the tables and the event log at the end."""

    def __init__(self, database: Database, clock: Clock, start: date) -> None:
        self.database, self.clock, self.start = database, clock, start
        self.partial = Partial()

    def week_of(self, moment: datetime) -> int:
        return (berlin_date(moment) - self.start).days // 7

    def day_ended(self, day: date, _counts: object = None) -> None:
        if day.weekday() != 6:
            return
        with self.database.engine.connect() as connection:
            count, pending = connection.execute(_WITHOUT_CONTACT, {
                "day": day + timedelta(days=1), "now": self.clock.now()}).one()
        self.partial.without_contact[(day - self.start).days // 7] = (int(count), int(pending))

    def count(self) -> Partial:
        """The weekly figures from the run's database: sessions, demands, reductions, missed appointments."""
        partial = self.partial
        with self.database.engine.connect() as connection:
            for counsellor, held_at, session_kind in connection.execute(text(
                    "SELECT counsellor, held_at, kind FROM counselling_sessions")):
                slot = (self.week_of(_utc(held_at)), str(counsellor), str(session_kind))
                partial.sessions[slot] = partial.sessions.get(slot, 0) + 1
            for (at,) in connection.execute(text(
                    "SELECT at FROM events WHERE kind = 'aufgabe_erledigt' AND element_id = 'Task_AfErstellen'")):
                week = self.week_of(_utc(at))
                partial.demands[week] = partial.demands.get(week, 0) + 1
            for at, element in connection.execute(text(
                    "SELECT e.at, j.value FROM events e, json_each(e.data, '$.durchlaufen') j "
                    "WHERE e.data LIKE '%MinderungErfassen%' AND j.value IN "
                    "('Task_MvMinderungErfassen', 'Task_AfMinderungErfassen')")):
                key = (self.week_of(_utc(at)), REDUCTION_ELEMENTS[element])
                partial.reductions[key] = partial.reductions.get(key, 0) + 1
            for (at,) in connection.execute(text(
                    "SELECT at FROM events WHERE kind = 'nachricht_zugestellt' "
                    "AND json_extract(data, '$.nachricht') = 'Meldeversaeumnis'")):
                week = self.week_of(_utc(at))
                partial.missed[week] = partial.missed.get(week, 0) + 1
        return partial


def _utc(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


# ---------------------------------------------------------------------------------------------- all workers


def merge(behaviour: Behaviour, partials: Sequence[Partial], *, cases: int, months: int, counsellors: Sequence[str],
          seed: int, start: date, weeks: int) -> ProjectionResult:
    """Add up the workers' counts into weekly rows and the summary."""
    rows = [WeekRow(week + 1, start + timedelta(days=7 * week), dict.fromkeys(counsellors, 0))
            for week in range(weeks)]
    types: Counter[str] = Counter()
    problems: list[tuple[int, str]] = []
    commands = timers_fired = 0
    for partial in partials:
        for (week, counsellor, kind), count in partial.sessions.items():
            if 0 <= week < weeks:
                row = rows[week]
                row.sessions_per_counsellor[counsellor] = row.sessions_per_counsellor.get(counsellor, 0) + count
                if kind == "telefon":
                    row.by_phone += count
                else:
                    row.in_person += count
        for week, count in partial.demands.items():
            if 0 <= week < weeks:
                rows[week].demands += count
        for (week, kind), count in partial.reductions.items():
            if 0 <= week < weeks:
                if kind == "meldeversaeumnis":
                    rows[week].reductions_missed_appointment += count
                else:
                    rows[week].reductions_breach += count
        for week, count in partial.missed.items():
            if 0 <= week < weeks:
                rows[week].missed_appointments += count
        for week, (count, pending) in partial.without_contact.items():
            if 0 <= week < weeks:
                rows[week].without_next_contact += count
                rows[week].without_next_contact_timer_pending += pending
        types.update(partial.types)
        problems.extend(partial.problems)
        commands += partial.commands
        timers_fired += partial.timers_fired
    summary = _summary(rows, cases=cases, months=months, counsellors=len(counsellors), weeks=weeks,
                       types=dict(sorted(types.items())), commands=commands, timers_fired=timers_fired)
    return ProjectionResult(behaviour.name, behaviour.file, cases, months, len(counsellors), seed, len(partials),
                            start, start + timedelta(days=7 * weeks - 1), rows, summary,
                            [text for _, text in sorted(problems)])


def _summary(rows: Sequence[WeekRow], *, cases: int, months: int, counsellors: int, weeks: int, types: dict[str, int],
             commands: int, timers_fired: int) -> Summary:
    per_counsellor = [count for row in rows for count in row.sessions_per_counsellor.values()]
    second_half = rows[len(rows) // 2:]
    return Summary(
        case_years=round(cases * months / 12, 2), weeks=weeks, caseload_per_counsellor=round(cases / counsellors, 1),
        sessions_per_counsellor_week=round(sum(per_counsellor) / len(per_counsellor), 2) if per_counsellor else 0.0,
        sessions_per_counsellor_week_second_half=round(
            sum(row.mean_per_counsellor for row in second_half) / len(second_half), 2) if second_half else 0.0,
        sessions_per_counsellor_week_max=max(per_counsellor, default=0),
        weeks_below_minimum=sum(1 for row in rows if row.mean_per_counsellor < SESSIONS_PER_WEEK_PER_FTE),
        sessions=sum(row.sessions for row in rows), demands=sum(row.demands for row in rows),
        reductions=sum(row.reductions for row in rows),
        reductions_missed_appointment=sum(row.reductions_missed_appointment for row in rows),
        reductions_breach=sum(row.reductions_breach for row in rows),
        missed_appointments=sum(row.missed_appointments for row in rows),
        without_next_contact_mean=round(sum(row.without_next_contact for row in rows) / len(rows), 1) if rows else 0.0,
        without_next_contact_last=rows[-1].without_next_contact if rows else 0,
        types=types, commands=commands, timers_fired=timers_fired)


# ---------------------------------------------------------------------------------------------- output


def as_json(result: ProjectionResult) -> dict[str, Any]:
    """The result as plain JSON values (dates as ISO strings)."""
    summary = {_JSON_NAMES.get(key, key): value for key, value in vars(result.summary).items()}
    return {
        "behaviour": result.behaviour, "file": result.file, "cases": result.cases, "months": result.months,
        "ifk": result.counsellors, "seed": result.seed, "workers": result.workers, "start": result.start.isoformat(),
        "end": result.end.isoformat(), "seconds": round(result.seconds, 2),
        "worker_cpu_seconds": result.worker_cpu_seconds, "minimum_sessions": SESSIONS_PER_WEEK_PER_FTE,
        "summary": summary,
        "weeks": [{"week": row.week, "monday": row.monday.isoformat(), "sessions": row.sessions,
                   "sessions_per_ifk": row.sessions_per_counsellor, "mean_per_ifk": round(row.mean_per_counsellor, 2),
                   "in_person": row.in_person, "by_phone": row.by_phone, "demands": row.demands,
                   "reductions": row.reductions, "reductions_missed_appointment": row.reductions_missed_appointment,
                   "reductions_breach": row.reductions_breach, "missed_appointments": row.missed_appointments,
                   "without_next_contact": row.without_next_contact,
                   "without_next_contact_timer_pending": row.without_next_contact_timer_pending}
                  for row in result.weeks],
        "problems": result.problems,
    }


def dumps(result: ProjectionResult) -> str:
    return json.dumps(as_json(result), ensure_ascii=False, indent=2)


def summary_lines(result: ProjectionResult) -> list[str]:
    """A short German summary for the command line."""
    summary = result.summary
    lines = [
        f"Projektion »{result.behaviour}«: {result.cases} Fälle, {result.months} Monate ({summary.case_years:g} "
        f"Falljahre), {result.counsellors} IFK ({summary.caseload_per_counsellor:g} Fälle je IFK), "
        f"{date_text(result.start)} bis {date_text(result.end)}, Seed {result.seed}",
        "Typen: " + ", ".join(f"{name}: {count}" for name, count in summary.types.items()),
        f"Beratungsgespräche je IFK und Woche: Mittel {summary.sessions_per_counsellor_week:.1f} (zweite Hälfte "
        f"{summary.sessions_per_counsellor_week_second_half:.1f}), "
        f"höchstens {summary.sessions_per_counsellor_week_max}; "
        f"Mindestwert {SESSIONS_PER_WEEK_PER_FTE} je VZÄ in {summary.weeks_below_minimum} von {summary.weeks} Wochen "
        "unterschritten",
        f"Aufforderungen: {summary.demands}; Minderungen: {summary.reductions} (Meldeversäumnis "
        f"{summary.reductions_missed_appointment}, Pflichtverletzung {summary.reductions_breach}); "
        f"Meldeversäumnisse: {summary.missed_appointments}",
        f"Fälle ohne nächsten Kontakt am Wochenende: im Mittel {summary.without_next_contact_mean:g}, zuletzt "
        f"{summary.without_next_contact_last}",
        f"{summary.commands} Befehle, davon {summary.timers_fired} Zeitereignisse; {result.seconds:.1f} s mit "
        f"{result.workers} Worker(n) (Rechenzeit je Worker: "
        + ", ".join(f"{seconds:.1f} s" for seconds in result.worker_cpu_seconds) + ")",
    ]
    if result.problems:
        lines.append(f"{len(result.problems)} Fälle abgebrochen, z. B. {result.problems[0]}")
    return lines
