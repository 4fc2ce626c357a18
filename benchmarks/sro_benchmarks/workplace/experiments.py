"""Proposals of the analysis tried on the benchmark's own SQLite database, never on the product's schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import event

from engine.domain.staff import StaffMember
from engine.services import Services
from sro_benchmarks.workplace.analysis import inbox_plans
from sro_benchmarks.workplace.measurement import INBOX_PAGES, Client, measure

# EXPERIMENTS, applied one after the other to the benchmark's own SQLite database (never to the
# product's schema) and measured again each time. They test the proposals of the analysis:
EXPERIMENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("cache_size_64mb",
     "SQLite page cache of 64 MB per connection instead of the default 2 MB (PRAGMA cache_size, a "
     "connection setting): a team's inbox touches some thousand pages scattered over the tables",
     ()),
    ("covering_inbox_indexes",
     "an index that holds every column the inbox reads of an open task, so the team's tasks come from the "
     "index alone (a case row is found by its rowid, which in SQLite is the table's own order)",
     ("CREATE INDEX bench_x_open_tasks_inbox ON open_tasks "
      "(partition_key, follow_up_at, assignee, candidate_groups, due_at, id, name, case_id)",)),
    ("case_file_indexes",
     "case file: queries._passed selects the instance's events by instance_id and the sessions are "
     "selected by case_id; no index covers either, so every case file scans the event log and the "
     "session table",
     ("CREATE INDEX bench_x_events_instance ON events (instance_id, id)",
      "CREATE INDEX bench_x_sessions_case ON counselling_sessions (case_id, held_at)")),
    ("analyze",
     "ANALYZE (what PRAGMA optimize would do): statistics let the planner choose by cost; watch "
     "whether a plan flips",
     ("ANALYZE",)),
)
EXPERIMENT_CACHE_KIB = 65_536


def experiments(services: Services, clients: list[Client], staff: list[StaffMember],
                rounds: int) -> dict[str, Any]:
    """Each experiment on top of the previous ones; the database is put back afterwards."""
    database = services.engine.database

    def large_cache(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA cache_size=-{EXPERIMENT_CACHE_KIB}")

    steps: list[dict[str, Any]] = []
    event.listen(database.engine, "connect", large_cache)
    try:
        for name, reason, statements in EXPERIMENTS:
            with database.engine.begin() as connection:
                for statement in statements:
                    connection.exec_driver_sql(statement)
            database.engine.dispose()  # new connections: the cache setting, the new schema and statistics
            steps.append({"experiment": name, "why": reason, "statements": list(statements),
                          **measure(clients, rounds=rounds),
                          "inbox_plans": inbox_plans(services, staff[0], ("default", "mine"), with_sql=False)})
    finally:
        event.remove(database.engine, "connect", large_cache)
        with database.engine.begin() as connection:
            for _, _, statements in EXPERIMENTS:
                for statement in statements:
                    if statement.startswith("CREATE INDEX"):
                        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {statement.split()[2]}")
            connection.exec_driver_sql("DROP TABLE IF EXISTS sqlite_stat1")
        database.engine.dispose()
    return {"note": "EXPERIMENTS on the benchmark's own database, cumulative in this order, removed afterwards; "
                    "not part of the product's schema or settings",
            "summary": [headline(step["experiment"], step) for step in steps], "steps": steps}


def headline(label: str, measured: Mapping[str, Any]) -> dict[str, Any]:
    """One line of figures: inbox over all requests and its worst filter, case file over all requests."""
    inbox_figures, case_figures = measured["inbox"], measured["case_file"]
    worst = worst_page(inbox_figures)
    return {"run": label,
            "inbox_p50_ms": inbox_figures["all"]["p50_ms"], "inbox_p95_ms": inbox_figures["all"]["p95_ms"],
            "inbox_worst_page": worst, "inbox_worst_page_p95_ms": inbox_figures[worst]["p95_ms"],
            "case_file_p50_ms": case_figures["all"]["p50_ms"], "case_file_p95_ms": case_figures["all"]["p95_ms"]}


def worst_page(inbox_figures: Mapping[str, Any]) -> str:
    """The inbox page with the highest p95."""
    return max(INBOX_PAGES, key=lambda page: float(inbox_figures[page]["p95_ms"]))
