"""The timer worker's loop (issue 12): it backs off when idle, resets when there is work, and survives a lost
database connection with a German message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from engine.bootstrap import bootstrap
from engine.worker import BATCH, fire_timers


class Stop(Exception):
    pass


class Script:
    """A stand-in for Services.fire_due_timers: answers (numbers fired, or an exception) in order."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)

    def fire_due_timers(self, *, limit: int, pass_failing: bool = False) -> int:
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return int(answer)

    def new_timer_failures(self) -> list[str]:
        return []


def run(script: Script, sleeps: int, **options: Any) -> tuple[list[float], list[str]]:
    slept: list[float] = []
    said: list[str] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) >= sleeps:
            raise Stop

    with pytest.raises(Stop):
        fire_timers(script, interval=1.0, sleep=sleep, report=said.append, max_pause=8.0, **options)  # type: ignore[arg-type]
    return slept, said


def test_an_idle_worker_waits_longer_and_longer_up_to_the_limit() -> None:
    slept, _ = run(Script(0, 0, 0, 0, 0, 0), sleeps=6)
    assert slept == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_work_brings_the_pause_back_and_a_full_batch_goes_on_at_once() -> None:
    slept, said = run(Script(0, 0, 3, BATCH, 7, 0), sleeps=4)
    assert slept == [1.0, 2.0, 4.0, 1.0]  # after 3 fired: 4 s, then the interval again; no pause after a full batch
    assert said == ["3 Zeitereignis(se) ausgelöst.", f"{BATCH} Zeitereignis(se) ausgelöst.",
                    "7 Zeitereignis(se) ausgelöst."]


def test_a_lost_connection_is_reported_in_german_and_tried_again() -> None:
    lost = OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))
    slept, said = run(Script(lost, lost, 2, 0), sleeps=4)
    assert slept == [1.0, 2.0, 4.0, 1.0]
    assert said[0] == ("Zeitgeber: Die Datenbank ist nicht erreichbar. Bitte prüfen Sie DATABASE_URL und ob der "
                       "Datenbankserver läuft. Neuer Versuch in 1 s.")
    assert "server closed" not in " ".join(said)
    assert said[2] == "2 Zeitereignis(se) ausgelöst."


def test_once_stops_when_nothing_more_is_due_and_raises_a_lost_connection() -> None:
    assert fire_timers(Script(BATCH, 4), once=True, report=lambda _: None) == BATCH + 4  # type: ignore[arg-type]
    with pytest.raises(OperationalError):
        fire_timers(Script(OperationalError("x", {}, Exception("gone"))), once=True,  # type: ignore[arg-type]
                    report=lambda _: None)


def test_a_refused_connection_is_reported_not_taken_for_nothing_due(tmp_path: Path) -> None:
    """The due-timer query turned every OperationalError into "busy", which the sweep skips: with the
    database gone the worker saw nothing due and said nothing (a fault test caught it by timing)."""
    services = bootstrap(f"sqlite:///{tmp_path / 'w.sqlite3'}")

    class Gone:
        def execute(self, *args: object, **kwargs: object) -> None:
            raise OperationalError("SELECT", {}, Exception("connection refused"))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sqlalchemy.orm.Session.connection", lambda self, *a, **k: Gone())
        with pytest.raises(OperationalError):
            services.fire_due_timers()
