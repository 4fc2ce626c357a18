"""Assertions on a case that read like the process and, when they fail, say where the case is and how it got there.

After camunda-bpm-assert (`assertThat(instance).isWaitingAt("review")`): `assert_that(fall).is_waiting_at(...)`,
`.has_passed_in_order(...)`. A failure names the case (Kundennummer), what it waits for now (user tasks,
timers with their due time, messages) and the last elements it passed, so a broken path is found from
the message alone. Each assertion reads the projections afresh and returns the assertion for chaining.
Written here because no Python library asserts on these projections (camunda-bpm-assert is Java, over
Camunda's own history service).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import NoReturn, Protocol

from engine.queries import passed_elements
from engine.runtime.clock import berlin_date
from engine.runtime.formatting import date_text, datetime_text
from engine.runtime.store import OpenTask, Wait
from engine.services import Services
from engine.unit_of_work import Outcome

RECENT = 10  # elements of the path shown in a failure message


class CaseHandle(Protocol):
    """Anything that knows its services and case id, such as tests.model.sro.Fall."""

    services: Services
    id: int


def assert_that(case: CaseHandle | Services, case_id: int | None = None, *,
                command: Outcome | None = None) -> CaseAssert:
    """Assertions on one case: `assert_that(fall)` or `assert_that(services, case_id)`.

    The path checked by the `has_passed...` assertions is the case's whole history from the event log
    (timers included); with `command=outcome` it is only what that one command passed.
    """
    if isinstance(case, Services):
        if case_id is None:
            raise TypeError("assert_that(services, case_id): the case id is missing")
        return CaseAssert(case, case_id, command)
    if case_id is not None:
        raise TypeError("assert_that(fall) takes no case id")
    return CaseAssert(case.services, case.id, command)


def history(services: Services, case_id: int) -> list[str]:
    """Every element the case passed, in order, from the event log (all commands and timers)."""
    return [element for _, element in passed_elements(services, case_id)]


def wait_text(wait: Wait) -> str:
    if wait.kind == "timer":
        return f"Zeitgeber {wait.element_id} fällig {datetime_text(wait.due_at)}"
    if wait.kind == "message":
        return f"Nachricht {wait.name} an {wait.element_id}"
    return f"{wait.kind} {wait.element_id}"


def in_order(path: Sequence[str], expected: Sequence[str]) -> int:
    """How many of `expected` appear in `path` in this order (not necessarily adjacent), from the first."""
    found = 0
    for element in path:
        if found < len(expected) and element == expected[found]:
            found += 1
    return found


def listed(items: Iterable[str]) -> str:
    return f"[{', '.join(items)}]"


class CaseAssert:
    """The assertions on one case; each failure message names the case, its waits and its path."""

    def __init__(self, services: Services, case_id: int, command: Outcome | None = None) -> None:
        self.services = services
        self.case_id = case_id
        self.command = command

    # ------------------------------------------------------------------ what the case is and waits for

    def tasks(self) -> list[OpenTask]:
        return self.services.open_tasks(self.case_id)

    def waits(self) -> list[Wait]:
        return self.services.waits(self.case_id)

    def waiting(self) -> list[str]:
        """Open user tasks by element id, then timers and messages, as the failure messages show them."""
        return sorted(task.element_id for task in self.tasks()) + sorted(wait_text(wait) for wait in self.waits())

    def path(self) -> list[str]:
        return list(self.command.passed) if self.command is not None else history(self.services, self.case_id)

    def path_text(self) -> str:
        path = self.path()
        if self.command is not None:
            return f"in diesem Befehl durchlaufen: {' → '.join(path) or 'nichts'}"
        shown = ' → '.join(path[-RECENT:]) or "nichts"
        return f"zuletzt durchlaufen: {'… → ' if len(path) > RECENT else ''}{shown}"

    def where(self) -> str:
        return listed(self.waiting())

    def fail(self, expectation: str, *, waiting: bool = True) -> NoReturn:
        """Raise AssertionError: the case, what was expected, what it waits at (unless said), its path."""
        number = self.services.case(self.case_id).customer_number
        parts = [f"Fall {number}: {expectation}"]
        if waiting:
            parts.append(f"wartet an {self.where()}")
        parts.append(self.path_text())
        raise AssertionError("; ".join(parts))

    # ------------------------------------------------------------------ waiting

    def is_waiting_at(self, *element_ids: str) -> CaseAssert:
        """Each element is an open user task or a wait (timer, message) of the case; others may wait too."""
        waiting = {task.element_id for task in self.tasks()} | {wait.element_id for wait in self.waits()}
        if not set(element_ids) <= waiting:
            self.fail(f"erwartet wartend an {listed(element_ids)}, wartet aber an {self.where()}", waiting=False)
        return self

    def is_waiting_exactly_at(self, *element_ids: str) -> CaseAssert:
        """The case waits at these elements (user tasks, timers, messages) and nowhere else."""
        waiting = sorted([task.element_id for task in self.tasks()] + [wait.element_id for wait in self.waits()])
        if waiting != sorted(element_ids):
            self.fail(f"erwartet wartend genau an {listed(element_ids)}, wartet aber an {self.where()}",
                      waiting=False)
        return self

    def has_open_tasks_exactly(self, *element_ids: str) -> CaseAssert:
        """The open user tasks are exactly these (timers and messages may wait besides)."""
        tasks = sorted(task.element_id for task in self.tasks())
        if tasks != sorted(element_ids):
            self.fail(f"erwartet offene Aufgaben genau {listed(element_ids)}, offen sind aber {listed(tasks)}")
        return self

    def has_no_open_tasks(self) -> CaseAssert:
        return self.has_open_tasks_exactly()

    def is_waiting_for_timer(self, element_id: str, *, due: date | datetime | None = None) -> CaseAssert:
        """One timer of the case waits at `element_id`; `due` is its moment, or its day in Berlin."""
        timers = [wait for wait in self.waits() if wait.kind == "timer" and wait.element_id == element_id]
        if len(timers) != 1:
            self.fail(f"erwartet wartend auf einen Zeitgeber {element_id}, wartet aber an {self.where()}",
                      waiting=False)
        if due is not None:
            due_at = timers[0].due_at
            actual = due_at if isinstance(due, datetime) or due_at is None else berlin_date(due_at)
            if actual != due:
                wanted = datetime_text(due) if isinstance(due, datetime) else date_text(due)
                self.fail(f"erwartet Zeitgeber {element_id} fällig {wanted}, "
                          f"er ist aber fällig {datetime_text(due_at)}")
        return self

    def is_waiting_for_message(self, name: str, *, at: str | None = None) -> CaseAssert:
        """The case waits for the message `name` (at the catch event `at`, if given)."""
        if not any(wait.kind == "message" and wait.name == name and at in (None, wait.element_id)
                   for wait in self.waits()):
            expected = f"{name} an {at}" if at else name
            self.fail(f"erwartet wartend auf Nachricht {expected}, wartet aber an {self.where()}", waiting=False)
        return self

    # ------------------------------------------------------------------ the path taken

    def has_passed(self, *element_ids: str) -> CaseAssert:
        path = set(self.path())
        if missing := [element for element in element_ids if element not in path]:
            self.fail(f"erwartet durchlaufen {listed(element_ids)}, nicht durchlaufen aber {listed(missing)}")
        return self

    def has_passed_in_order(self, *element_ids: str) -> CaseAssert:
        """The elements were passed in this order, not necessarily one right after the other."""
        found = in_order(self.path(), element_ids)
        if found < len(element_ids):
            after = f"nach {listed(element_ids[:found])} " if found else ""
            self.fail(f"erwartet durchlaufen in dieser Reihenfolge {listed(element_ids)}, "
                      f"{after}fehlt aber {element_ids[found]}")
        return self

    def has_not_passed(self, *element_ids: str) -> CaseAssert:
        path = set(self.path())
        if passed := [element for element in element_ids if element in path]:
            self.fail(f"erwartet nicht durchlaufen {listed(element_ids)}, durchlaufen aber {listed(passed)}")
        return self

    # ------------------------------------------------------------------ driving

    def task(self, element_id: str) -> OpenTask:
        """The one open user task at `element_id` (like camunda-bpm-assert's task()), or a failure."""
        found = [task for task in self.tasks() if task.element_id == element_id]
        if len(found) != 1:
            self.fail(f"erwartet eine offene Aufgabe {element_id}, offen sind aber {len(found)}")
        return found[0]

