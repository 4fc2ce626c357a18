"""The demo caseload at a moment, printed after seeding.

What each case waits for (its open task, else the next timer, named as the diagrams name them), priority
groups, teams and modes, and this week's work.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from engine.demo.accounts import TEAMS
from engine.domain.case import Case
from engine.domain.counselling import CounsellingSession
from engine.runtime.clock import berlin_date, berlin_midnight, week_start_of
from engine.runtime.store import OpenTask, Wait
from engine.services import Services


@dataclass
class Overview:
    """Counts that show the caseload is alive: per phase, priority group and team, and this week's work."""

    cases: int
    phases: dict[str, int]
    groups: dict[int | None, int]
    teams: dict[str, int]
    modes: dict[str | None, int]
    open_task_kinds: dict[str, int]
    sessions_this_week: int
    overdue_tasks: int
    future_follow_ups: int
    cases_with_reductions: int
    due_timers: int

    def lines(self) -> list[str]:
        def join(items: Mapping[Any, int]) -> str:
            return ", ".join(f"{key}: {value}" for key, value in items.items())

        lines = [f"Fälle: {self.cases} ({join({TEAMS.get(team, team): n for team, n in self.teams.items()})})",
                 "Prioritätsgruppen: " + join({f"PG {group}" if group else "ohne": n
                                                for group, n in sorted(self.groups.items(),
                                                                       key=lambda item: item[0] or 0)}),
                 "Modus: " + join({mode or "–": n for mode, n in self.modes.items()}),
                 f"Gespräche diese Woche: {self.sessions_this_week}; überfällige Aufgaben: {self.overdue_tasks}; "
                 f"Wiedervorlagen in der Zukunft: {self.future_follow_ups}; Fälle mit Minderung: "
                 f"{self.cases_with_reductions}; fällige Zeitereignisse: {self.due_timers}",
                 "Phasen:"]
        width = max((len(label) for label in self.phases), default=0)
        lines.extend(f"  {label.ljust(width)}  {count:5d}" for label, count in self.phases.items())
        return lines


def _team_order(team: str) -> tuple[int, str]:
    return (list(TEAMS).index(team), "") if team in TEAMS else (len(TEAMS), team)


def overview(services: Services, now: datetime) -> Overview:
    """The caseload at `now`: what each case waits for (named as the diagrams name it), priority groups,
    teams and this week's figures."""
    week_start = berlin_midnight(week_start_of(berlin_date(now)))
    with services.reading() as session:
        rows = session.execute(select(Case.id, Case.team, Case.priority_group, Case.mode, Case.data)).all()
        tasks = session.execute(select(OpenTask.case_id, OpenTask.element_id, OpenTask.name, OpenTask.due_at,
                                       OpenTask.follow_up_at).order_by(OpenTask.created_at)).all()
        waits = session.execute(select(Wait.case_id, Wait.kind, Wait.element_id, Wait.due_at)).all()
        sessions = session.scalar(select(func.count(CounsellingSession.id))
                                  .where(CounsellingSession.held_at >= week_start,
                                         CounsellingSession.held_at <= now)) or 0
    waiting: dict[int, str] = {}
    for task in tasks:
        waiting.setdefault(task.case_id, task.name)
    names = _element_names(services)
    # A case without an open task waits for the next timer (a message it may also wait for comes from
    # outside at any time, e.g. a missed appointment, and says less about where the case stands).
    for wait in sorted(waits, key=lambda wait: (wait.kind != "timer", wait.due_at or now, wait.element_id)):
        waiting.setdefault(wait.case_id, f"wartet auf »{names.get(wait.element_id, wait.element_id)}«")
    phases = Counter(waiting.get(row.id, "abgeschlossen") for row in rows)
    return Overview(
        cases=len(rows),
        phases=dict(phases.most_common()),
        groups=dict(sorted(Counter(row.priority_group for row in rows).items(), key=lambda item: item[0] or 0)),
        teams=dict(sorted(Counter(row.team for row in rows).items(), key=lambda item: _team_order(item[0]))),
        modes=dict(Counter(row.mode for row in rows)),
        open_task_kinds=dict(Counter(task.element_id for task in tasks).most_common()),
        sessions_this_week=sessions,
        overdue_tasks=sum(1 for task in tasks if task.due_at is not None and task.due_at < now),
        future_follow_ups=sum(1 for task in tasks if task.follow_up_at is not None and task.follow_up_at > now),
        cases_with_reductions=sum(1 for row in rows if isinstance(row.data, dict) and row.data.get("minderungen")),
        due_timers=sum(1 for wait in waits if wait.kind == "timer" and wait.due_at is not None and wait.due_at <= now),
    )


def _element_names(services: Services) -> dict[str, str]:
    """German names of the elements of every deployed diagram the cycle runs on."""
    return {element: name for document in services.deployed_documents().values()
            for process in document.processes.values() for element, name in process.names.items() if name}
