"""Everything the product keeps about one case, for a subject access request (Art. 15 GDPR, SGB X § 83): `sro
export-case`. Every table with a `case_id` column is read, so a table added later is exported without a change here;
the serialized process state (`process_instances.state`, engine internals and the diagram) is left out, the data the
process holds about the person is in the case and the event log. The export itself is recorded in the audit log."""

from __future__ import annotations

import base64
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, select

from engine.domain.case import Case
from engine.models import metadata
from engine.runtime.errors import NotFoundError
from engine.services import Services

LEFT_OUT = {("process_instances", "state")}  # engine internals; see the module's docstring
FORMAT = 1


def export_case(services: Services, case_id: int, *, actor: str) -> dict[str, Any]:
    """The case row, every row of every table that names the case, and the drafts of its open tasks; in one
    transaction with the audit entry »auskunft_erteilt«."""
    tables = metadata().tables
    with services.unit_of_work() as work:
        session = work.session
        if session.get(Case, case_id) is None:
            raise NotFoundError(f"Den Fall {case_id} gibt es nicht.")
        result: dict[str, Any] = {"format": FORMAT, "erstellt_am": _plain(services.clock.now()),
                                  "fall": _rows(session, tables["cases"], tables["cases"].c.id == case_id)[0]}
        for name, table in sorted(tables.items()):
            if name != "cases" and "case_id" in table.c:
                result[name] = _rows(session, table, table.c.case_id == case_id)
        open_tasks = [row["id"] for row in result.get("open_tasks", [])]
        drafts = tables["task_drafts"]
        result["task_drafts"] = _rows(session, drafts, drafts.c.task_id.in_(open_tasks)) if open_tasks else []
        services.engine.log(session, actor, "auskunft_erteilt", case_id=case_id,
                            data={"tabellen": sorted(key for key in result if isinstance(result[key], list))})
        work.commit()
    return result


def _rows(session: Any, table: Table, condition: Any) -> list[dict[str, Any]]:
    columns = [column for column in table.c if (table.name, column.name) not in LEFT_OUT]
    order = list(table.primary_key.columns)
    return [{column.name: _plain(value) for column, value in zip(columns, row, strict=True)}
            for row in session.execute(select(*columns).where(condition).order_by(*order))]


def _plain(value: Any) -> Any:
    """JSON-ready: dates as ISO 8601, decimals as text, bytes as base64; dicts and lists as they are."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value
