"""Stepping through a case by hand on a simulated clock: a walk is a list of steps kept on the server.

A walk is replayed from its start on a throwaway database each time it is shown, so "back to an
earlier step" is simply a shorter list of steps, and no simulated state ever outlives a request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import yaml
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.runtime.store import Base, Json, UtcDateTime
from engine.simulation.runner import ScenarioResult, Simulator
from engine.simulation.scenario import Scenario, Step, start_moment


class SimulationWalk(Base):
    __tablename__ = "simulation_walks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    start: Mapped[str] = mapped_column(String(10))  # ISO date the simulated clock starts on
    steps: Mapped[Any] = mapped_column(Json())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


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
