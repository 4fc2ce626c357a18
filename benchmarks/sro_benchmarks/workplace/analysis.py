"""Where the workplace's time goes: the query plans of inbox and case file, and a profile per request."""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event

from engine.domain.staff import StaffMember
from engine.queries import case_file, inbox
from engine.runtime.store import Database
from engine.services import Services
from sro_benchmarks.workplace.measurement import INBOX_PAGES, Client, case_file_url, inbox_filter


@contextmanager
def _captured(database: Database) -> Iterator[list[tuple[str, Any]]]:
    """The SELECT statements the block sends to the driver (statement, parameters)."""
    statements: list[tuple[str, Any]] = []

    def record(connection: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(database.engine, "before_cursor_execute", record)


def _explain(database: Database, statement: str, parameters: Any) -> list[str]:
    with database.engine.connect() as connection:
        if database.dialect == "sqlite":
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            depth: dict[int, int] = {0: -1}
            lines = []
            for node, parent, _, detail in rows:
                depth[node] = depth.get(parent, -1) + 1
                lines.append("  " * depth[node] + str(detail))
            return lines
        return [str(row[0]) for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters)]


def inbox_plans(services: Services, member: StaffMember, pages: Sequence[str] = tuple(INBOX_PAGES),
                with_sql: bool = True) -> dict[str, dict[str, Any]]:
    """The plan the database chose for each statement (count, page) of each inbox page."""
    database = services.engine.database
    plans: dict[str, dict[str, Any]] = {}
    for label in pages:
        wanted = inbox_filter(label)
        with _captured(database) as statements:
            inbox(services, member, wanted)
        # one statement (page with the total as a window), or two when the page lies past the end
        parts = ("page",) if len(statements) == 1 else ("page", "count")
        plans[label] = {part: _explain(database, statement, parameters)
                        for (statement, parameters), part in zip(statements, parts, strict=True)}
        if with_sql and label == "default":
            plans[label]["sql"] = [" ".join(statement.split()) for statement, _ in statements]
    return plans


def case_file_plans(services: Services, case_id: int) -> dict[str, Any]:
    """Plans of the statements of one case file; full table scans listed first."""
    database = services.engine.database
    with _captured(database) as statements:
        case_file(services, case_id)
    seen: dict[str, list[str]] = {}
    for statement, parameters in statements:
        sql = " ".join(statement.split())
        if sql not in seen:
            seen[sql] = _explain(database, statement, parameters)
    scans = [sql for sql, plan in seen.items()  # SQLite "SCAN table", PostgreSQL "Seq Scan on table"
             if any((line.strip().startswith("SCAN") and "CONSTANT ROW" not in line) or "Seq Scan" in line
                    for line in plan)]
    return {"statements": len(statements), "full_scans": scans,
            "plans": [{"sql": sql[:240], "plan": plan} for sql, plan in seen.items()]}


def agenda_plans(services: Services, member: StaffMember, case_id: int) -> dict[str, Any]:
    """Plans of the statements of the agenda read models: »Heute« (team and mine), a week's calendar, a case's
    agenda."""
    from engine.queries.agenda import calendar, case_agenda, today
    from engine.runtime.clock import week_start_of

    database = services.engine.database
    monday = week_start_of(services.clock.today())
    calls: dict[str, Callable[[], object]] = {
        "today_team": lambda: today(services, member, False), "today_mine": lambda: today(services, member, True),
        "calendar_week": lambda: calendar(services, member.username, monday, 7),
        "case_agenda": lambda: case_agenda(services, case_id)}
    result: dict[str, Any] = {}
    for label, call in calls.items():
        with _captured(database) as statements:
            call()
        seen: dict[str, list[str]] = {}
        for statement, parameters in statements:
            sql = " ".join(statement.split())
            if sql not in seen:
                seen[sql] = _explain(database, statement, parameters)
        result[label] = [{"sql": sql[:240], "plan": plan} for sql, plan in seen.items()]
    return result


# Where a request's time goes: (label, file name, function) of the cProfile entries reported.
_REQUEST = ("request (Flask wsgi_app)", "app.py", "wsgi_app")
_TEMPLATE = ("template render_template", "templating.py", "render_template")
_SIGN_IN = ("sign-in check load_user", "auth.py", "load_user")
_SQL = ("sqlite3 Cursor.execute", "~", "<method 'execute' of 'sqlite3.Cursor' objects>")
PROFILE_PARTS = {
    "inbox": (
        _REQUEST,
        ("view inbox.show", "inbox.py", "show"),
        ("read model queries.inbox (2 statements)", "queries.py", "inbox"),
        _TEMPLATE,
        ("url_for (links and forms per row)", "helpers.py", "url_for"),
        ("csrf_token", "csrf.py", "generate_csrf"),
        _SIGN_IN,
        ("saved filters Workplace.filters", "workplace.py", "filters"),
        _SQL,
    ),
    "case_file": (
        _REQUEST,
        ("access check and audit event Workplace.case_for", "workplace.py", "case_for"),
        ("read model queries.case_file", "queries.py", "case_file"),
        ("engine.load (restore the instance)", "engine.py", "load"),
        ("_passed (events of the instance)", "queries.py", "_passed"),
        ("_diagrams (parse the BPMN files)", "queries.py", "_diagrams"),
        _TEMPLATE,
        _SIGN_IN,
        _SQL,
    ),
}


def profile(clients: list[Client], kind: str, url: str | None, requests: int) -> dict[str, Any]:
    """cProfile over `requests` GETs: where a request spends its time (ms per request).

    `url` None means each client's first case file. Profiling slows Python code more than the
    database's C code, so read the parts relative to each other, not as absolute figures.
    """
    profiler = cProfile.Profile()
    profiler.enable()
    for number in range(requests):
        c = clients[number % len(clients)]
        c.client.get(url or case_file_url(c.case_files[0][1]))
    profiler.disable()
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = (
        pstats.Stats(profiler).stats)  # type: ignore[attr-defined]
    per_request = 1000 / requests
    parts: dict[str, dict[str, float]] = {}
    for label, file_name, function in PROFILE_PARTS[kind]:
        found = [(calls, cumulative) for (path, _, name), (_, calls, _, cumulative, _) in raw.items()
                 if name == function and (Path(path).name == file_name or path == file_name)]
        if found:
            parts[label] = {"ms": round(sum(c for _, c in found) * per_request, 2),
                            "calls": round(sum(n for n, _ in found) / requests, 1)}
    own = sorted(raw.items(), key=lambda item: item[1][2], reverse=True)[:8]
    return {
        "page": url or "/faelle/<id>", "requests": requests, "parts_cumulative": parts,
        "own_time_top": [{"function": f"{Path(path).name}:{line}({name})" if line else name,
                          "ms": round(values[2] * per_request, 2), "calls": round(values[1] / requests, 1)}
                         for (path, line, name), values in own],
    }
