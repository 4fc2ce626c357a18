"""Where a standard FEEL expression finds its names, and the budget that bounds one evaluation."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from engine.runtime.parsing import Problem

MAX_STEPS = 1_000_000
MAX_SECONDS = 5.0
MAX_CALL_DEPTH = 60


class Budget:
    """Steps (loop turns, calls, filter tests) and wall time one evaluation may use; shared by nested calls."""

    __slots__ = ("calls", "deadline", "steps")

    def __init__(self) -> None:
        self.steps = 0
        self.calls = 0
        self.deadline = time.perf_counter() + MAX_SECONDS

    def step(self, count: int = 1) -> None:
        self.steps += count
        if self.steps > MAX_STEPS:
            raise Problem(f"Die Auswertung braucht zu viele Schritte (höchstens {MAX_STEPS:,}).".replace(",", "."))
        if self.steps % 4096 < count and time.perf_counter() > self.deadline:
            raise Problem(f"Die Auswertung dauert zu lange (höchstens {MAX_SECONDS:g} Sekunden).")


class Env:
    """Layers of names, innermost first; a name no layer has is null (and noted, for messages)."""

    __slots__ = ("budget", "layer", "parent")

    def __init__(self, layer: Mapping[str, Any], parent: Env | None = None, budget: Budget | None = None) -> None:
        self.layer = layer
        self.parent = parent
        self.budget: Budget = budget if budget is not None else (parent.budget if parent is not None else Budget())

    def lookup(self, name: str) -> Any:
        env: Env | None = self
        while env is not None:
            layer = env.layer
            if name in layer:
                return layer[name]
            env = env.parent
        return None

    def has(self, name: str) -> bool:
        env: Env | None = self
        while env is not None:
            if name in env.layer:
                return True
            env = env.parent
        return False

    def child(self, layer: Mapping[str, Any]) -> Env:
        return Env(layer, self, self.budget)
