"""Stepping through a case by hand on a simulated clock: a walk is a list of steps kept on the server.

A walk is replayed from its start on a throwaway database each time it is shown, so "back to an
earlier step" is simply a shorter list of steps, and no simulated state ever outlives a request.
Walks are kept, read and changed only through `Walks`, one transaction per command.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.runtime.errors import EngineError, NotFoundError
from engine.runtime.store import Base, Json, UtcDateTime
from engine.services import Services
from engine.simulation.runner import ScenarioResult, Simulator
from engine.simulation.scenario import Scenario, Step, start_moment

EARLIEST_START, LATEST_START = date(2000, 1, 1), date(2099, 12, 31)  # a walk's first day


class SimulationWalk(Base):
    __tablename__ = "simulation_walks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    start: Mapped[str] = mapped_column(String(10))  # ISO date the simulated clock starts on
    steps: Mapped[Any] = mapped_column(Json())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


@dataclass(frozen=True)
class Walk:
    id: int
    owner: str
    name: str
    start: date  # the day the simulated clock starts on
    steps: list[dict[str, Any]]
    updated_at: datetime

    @classmethod
    def of(cls, row: SimulationWalk) -> Walk:
        return cls(row.id, row.owner, row.name, date.fromisoformat(row.start), list(row.steps), row.updated_at)


class Walks:
    """The walks of QA staff: each person sees and changes only their own."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def create(self, owner: str, name: str, start: date) -> Walk:
        if not EARLIEST_START <= start <= LATEST_START:  # 0001-01-01 broke every later view of the walk
            raise EngineError(f"Ein Durchgang beginnt frühestens am {EARLIEST_START:%d.%m.%Y} und spätestens am "
                              f"{LATEST_START:%d.%m.%Y}.")
        now = self.services.clock.now()
        with self.services.unit_of_work() as work:
            row = SimulationWalk(owner=owner, name=name.strip()[:200] or "Durchgang", start=start.isoformat(),
                                 steps=[], created_at=now, updated_at=now)
            work.session.add(row)
            work.session.flush()
            walk = Walk.of(row)
            work.commit()
        return walk

    def get(self, walk_id: int, owner: str) -> Walk:
        """The walk, if it is `owner`'s; NotFoundError otherwise (someone else's walk is not shown to exist)."""
        with self.services.reading() as session:
            return Walk.of(self._row(session, walk_id, owner))

    def list(self, owner: str) -> list[Walk]:
        """`owner`'s walks, the most recently changed first."""
        with self.services.reading() as session:
            rows = session.scalars(select(SimulationWalk).where(SimulationWalk.owner == owner)
                                   .order_by(SimulationWalk.updated_at.desc()))
            return [Walk.of(row) for row in rows]

    def save_steps(self, walk_id: int, owner: str, steps: Sequence[Mapping[str, Any]]) -> Walk:
        with self.services.unit_of_work() as work:
            row = self._row(work.session, walk_id, owner)
            row.steps = [dict(step) for step in steps]
            row.updated_at = self.services.clock.now()
            work.session.flush()
            walk = Walk.of(row)
            work.commit()
        return walk

    @staticmethod
    def _row(session: Session, walk_id: int, owner: str) -> SimulationWalk:
        row: SimulationWalk | None = session.get(SimulationWalk, walk_id)
        if row is None or row.owner != owner:
            raise NotFoundError(f"Den Durchgang {walk_id} gibt es nicht.")
        return row


def as_scenario(name: str, start: date, steps: Sequence[Mapping[str, Any]], simulator: Simulator) -> Scenario:
    """The walk as a scenario the runner understands (tasks are stored by element id)."""
    converted = []
    for number, step in enumerate(steps, start=1):
        if "erledige" in step:
            element = str(step["erledige"])
            converted.append(Step("erledige", number, element, dict(step.get("mit") or {}), candidates=(element,)))
        elif "warte" in step:
            converted.append(Step("warte", number, str(step["warte"])))
        elif "nachricht" in step:
            converted.append(Step("nachricht", number, str(step["nachricht"]), dict(step.get("mit") or {})))
    return Scenario(name, "Simulation", start_moment(start), {}, tuple(converted))


def replay(simulator: Simulator, name: str, start: date, steps: Sequence[Mapping[str, Any]]) -> ScenarioResult:
    return simulator.run(as_scenario(name, start, steps, simulator), snapshot=True)


def to_yaml(name: str, start: date, steps: Sequence[Mapping[str, Any]], simulator: Simulator) -> str:
    """The walk as a scenario file for processes/scenarios, tasks named by their German names."""
    readable = []
    for step in steps:
        if "erledige" in step:
            element = str(step["erledige"])
            names = [name for name, ids in simulator.task_names.items() if ids == (element,) and name != element]
            entry: dict[str, Any] = {"erledige": names[0] if names else element}
            if step.get("mit"):
                entry["mit"] = dict(step["mit"])
            readable.append(entry)
        else:
            readable.append(dict(step))
    document = {"szenario": name, "beginn": start, "schritte": readable}
    header = "# Von Hand in der Simulation aufgezeichnet; bitte um »erwarte«-Schritte ergänzen.\n"
    return header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=110)


def write_scenario(walk: Walk, folder: Path, simulator: Simulator) -> Path:
    """Save the walk as a scenario file in `folder`, named after the walk; returns the file."""
    slug = re.sub(r"[^a-z0-9]+", "_", walk.name.lower()).strip("_") or "durchgang"
    path = folder / f"{slug}_{walk.id}.yaml"
    path.write_text(to_yaml(walk.name, walk.start, walk.steps, simulator), encoding="utf-8")
    return path
