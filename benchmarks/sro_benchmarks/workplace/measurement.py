"""Timing the workplace pages: inbox and case file through Flask's test client, and the inbox read model alone.

Times are the wall time of the test client's `get()`: the whole request (sign-in check, queries,
template rendering), after a warm-up, interleaved over IFK of different teams.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import select

from engine.domain.staff import StaffMember
from engine.queries import InboxFilter, inbox
from engine.services import Services
from sro_benchmarks.figures import summary
from sro_benchmarks.workplace.clones import PASSWORD, Plan, customer_number

CASE_FILE_STAGES = ("erstgespraech", "kooperationsplan", "plan_timer", "schritt_pruefen", "beratungsgespraech")
INBOX_PAGES = {
    "default": "/eingang",
    "mine": "/eingang?bereich=mine",
    "overdue": "/eingang?faellig=overdue",
    "group_2": "/eingang?gruppe=2",
    "page_3": "/eingang?seite=3",
}


def inbox_filter(label: str) -> InboxFilter:
    """The filter the inbox page `label` asks for, read from its URL as the view reads it."""
    return InboxFilter.from_params(dict(parse_qsl(urlsplit(INBOX_PAGES[label]).query)))


def case_file_url(case_id: int) -> str:
    return f"/faelle/{case_id}"


def timings(samples: Sequence[tuple[float, float]]) -> dict[str, float | int]:
    """Wall time (the figure the target is about) and the process's CPU time of the same requests.

    CPU time hardly changes when other processes compete for the machine; wall time does. A
    wide gap between the two means the machine was busy, not that the server was slow.
    """
    wall = summary([sample[0] for sample in samples])
    cpu = summary([sample[1] for sample in samples])
    return {**wall, "cpu_p50_ms": cpu["p50_ms"], "cpu_p95_ms": cpu["p95_ms"]}


@dataclass
class Client:
    username: str
    client: Any
    case_files: list[tuple[str, int, str]]  # (stage, case id, customer number) of the case files measured


def sample_ifk(plan: Plan, count: int) -> list[int]:
    """IFK spread over all teams."""
    total = plan.ifk_count
    return sorted({min(total - 1, (index * total) // count + (total // count) // 2) for index in range(count)})


def signed_in(app: Any, plan: Plan, ifk: int, first_case: int) -> Client:
    client = app.test_client()
    username = plan.username(ifk)
    response = client.post("/anmelden", data={"benutzer": username, "passwort": PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"Anmeldung von {username} fehlgeschlagen ({response.status_code}).")
    by_stage: dict[str, int] = {}
    for number in (number for number, owner in enumerate(plan.owners) if owner == ifk):
        by_stage.setdefault(plan.templates[plan.assignment[number]].stage.key, number)
    spare = [stage for stage in by_stage if stage not in CASE_FILE_STAGES]
    chosen = []
    for stage in CASE_FILE_STAGES:  # a stage this IFK happens not to have is replaced by another one
        if stage in by_stage:
            chosen.append(stage)
        elif spare:
            chosen.append(spare.pop())
    return Client(username, client, [(stage, first_case + by_stage[stage], customer_number(by_stage[stage]))
                                     for stage in chosen])


def _get(client: Any, url: str, expect: str) -> tuple[float, float]:
    """(wall, cpu) seconds of one GET, which must answer 200 with `expect` in the page."""
    begin, begin_cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    elapsed, cpu = time.perf_counter() - begin, time.process_time() - begin_cpu
    if response.status_code != 200 or expect not in response.get_data(as_text=True):
        raise RuntimeError(f"GET {url} antwortete {response.status_code} ohne »{expect}«.")
    return elapsed, cpu


def measure(clients: list[Client], *, rounds: int) -> dict[str, Any]:
    """Inbox pages `rounds` times and each client's case files once, interleaved, after a warm-up."""
    for c in clients[:3]:  # warm-up: pooled connections, compiled templates, parsed processes, OS cache
        for url in INBOX_PAGES.values():
            _get(c.client, url, "Eingang")
        for _, case_id, customer in c.case_files:
            _get(c.client, case_file_url(case_id), customer)
    inbox_times: dict[str, list[tuple[float, float]]] = {label: [] for label in INBOX_PAGES}
    case_times: dict[str, list[tuple[float, float]]] = {}
    for turn in range(rounds):
        for position, c in enumerate(clients):
            labels = list(INBOX_PAGES)
            shift = (turn + position) % len(labels)  # each IFK asks for the pages in another order
            for label in labels[shift:] + labels[:shift]:
                inbox_times[label].append(_get(c.client, INBOX_PAGES[label], "Eingang"))
            if turn == 0:
                for stage, case_id, customer in c.case_files:
                    case_times.setdefault(stage, []).append(_get(c.client, case_file_url(case_id), customer))
    return {
        "inbox": {**{label: timings(samples) for label, samples in inbox_times.items()},
                  "all": timings([sample for samples in inbox_times.values() for sample in samples])},
        "case_file": {**{stage: timings(samples) for stage, samples in sorted(case_times.items())},
                      "all": timings([sample for samples in case_times.values() for sample in samples])},
    }


def members(services: Services, clients: list[Client]) -> list[StaffMember]:
    with services.engine.database.session() as session:
        return list(session.scalars(select(StaffMember).where(StaffMember.username.in_([c.username for c in clients]))
                                    .order_by(StaffMember.username)))


def query_only(services: Services, staff: list[StaffMember], rounds: int) -> dict[str, Any]:
    """The inbox read model alone (both statements, no Flask, no template): how much of a request is SQL."""
    times: dict[str, list[tuple[float, float]]] = {label: [] for label in INBOX_PAGES}
    totals: dict[str, list[int]] = {label: [] for label in INBOX_PAGES}
    shown: dict[str, list[int]] = {label: [] for label in INBOX_PAGES}
    for _ in range(rounds):
        for member in staff:
            for label in INBOX_PAGES:
                wanted = inbox_filter(label)
                begin, begin_cpu = time.perf_counter(), time.process_time()
                page = inbox(services, member, wanted)
                times[label].append((time.perf_counter() - begin, time.process_time() - begin_cpu))
                totals[label].append(page.total)
                shown[label].append(len(page.rows))
    return {
        "time": {label: timings(samples) for label, samples in times.items()},
        "tasks_matching_filter_mean": {label: round(statistics.mean(values), 1) for label, values in totals.items()},
        "rows_on_page_mean": {label: round(statistics.mean(values), 1) for label, values in shown.items()},
    }


AGENDA_TARGET_P95_MS = 25.0


def agenda_query_times(services: Services, staff: list[StaffMember], clients: list[Client],
                       rounds: int) -> dict[str, Any]:
    """The read models of a working day without Flask: the inbox with its »Heute« part (today's appointments
    and due Wiedervorlagen, for the team and for »nur meine«), the calendar of a day and of a week, and the
    case file with the case's agenda; wall and CPU time per call, interleaved over the IFK."""
    from engine.queries.agenda import calendar, case_agenda, today
    from engine.queries.case_file import case_file
    from engine.runtime.clock import week_start_of

    day = services.clock.today()
    monday = week_start_of(day)
    mine = InboxFilter(scope="mine")
    calls: dict[str, Any] = {
        "inbox_with_today": lambda m: (inbox(services, m, InboxFilter()), today(services, m, False)),
        "inbox_mine_with_today": lambda m: (inbox(services, m, mine), today(services, m, True)),
        "calendar_day": lambda m: calendar(services, m.username, day),
        "calendar_week": lambda m: calendar(services, m.username, monday, 7),
    }
    times: dict[str, list[tuple[float, float]]] = {label: [] for label in (*calls, "case_file_with_agenda")}
    for call in calls.values():  # warm-up
        call(staff[0])
    for _ in range(rounds):
        for member in staff:
            for label, call in calls.items():
                begin, begin_cpu = time.perf_counter(), time.process_time()
                call(member)
                times[label].append((time.perf_counter() - begin, time.process_time() - begin_cpu))
    for c in clients:
        for _, case_id, _ in c.case_files:
            begin, begin_cpu = time.perf_counter(), time.process_time()
            case_file(services, case_id)
            case_agenda(services, case_id)
            times["case_file_with_agenda"].append((time.perf_counter() - begin, time.process_time() - begin_cpu))
    figures = {label: timings(samples) for label, samples in times.items()}
    worst = max(float(value["p95_ms"]) for value in figures.values())
    return {"time": figures, "target_p95_ms": AGENDA_TARGET_P95_MS, "worst_p95_ms": worst,
            "met": worst <= AGENDA_TARGET_P95_MS}
