"""Deleting closed cases after the retention period (`sro loeschen`, docs/operations.md): the case and every row that
names it, the same set `sro export-case` reads, one transaction per case; never a case that runs. Each deletion is
recorded in the audit log with who, when, which case and how many rows per table, but no personal data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.domain.case import CLOSED, Case
from engine.models import metadata
from engine.runtime.clock import day_bounds
from engine.runtime.errors import ConflictError, NotFoundError
from engine.runtime.store import RUNNING, ProcessInstance
from engine.services import Services
from engine.workplace.tables import EventDeletionPermit


@dataclass(frozen=True)
class ClosedCase:
    case_id: int
    closed_at: datetime


def closed_before(services: Services, before: date) -> list[ClosedCase]:
    """Closed cases whose closing lies before the day `before` (Europe/Berlin), oldest case id first."""
    start, _ = day_bounds(before)
    with services.reading() as session:
        rows = session.execute(select(Case.id, Case.closed_at).where(
            Case.status == CLOSED, Case.closed_at.is_not(None), Case.closed_at < start).order_by(Case.id))
        return [ClosedCase(row.id, row.closed_at) for row in rows]


def record_preview(services: Services, found: list[ClosedCase], before: date, *, actor: str) -> None:
    """The dry run is a look at which cases would go: recorded like every command, with the case ids only."""
    with services.unit_of_work() as work:
        services.engine.log(work.session, actor, "loeschung_geprueft", data={
            "abgeschlossen_vor": before.isoformat(), "anzahl": len(found), "faelle": [row.case_id for row in found]})
        work.commit()


def delete_closed_case(services: Services, case_id: int, *, before: date, actor: str) -> dict[str, int]:
    """Delete one closed case (closed before `before`) and every row that names it, in one transaction with its
    audit entry; returns the rows deleted per table. A case that is not closed, or was reopened or closed again
    since, is refused (ConflictError) and nothing changes."""
    start, _ = day_bounds(before)
    with services.unit_of_work() as work:
        session = work.session
        case = session.get(Case, case_id, with_for_update=True)
        if case is None:
            raise NotFoundError(f"Den Fall {case_id} gibt es nicht.")
        if case.status != CLOSED or case.closed_at is None or case.closed_at >= start:
            raise ConflictError(f"Der Fall {case_id} ist nicht vor dem {before:%d.%m.%Y} abgeschlossen worden; "
                                "er wird nicht gelöscht.")
        if session.scalar(select(ProcessInstance.id).where(ProcessInstance.case_id == case_id,
                                                           ProcessInstance.status == RUNNING).limit(1)) is not None:
            raise ConflictError(f"Im Fall {case_id} läuft noch ein Vorgang; er wird nicht gelöscht.")
        closed_on = case.closed_at.date().isoformat()
        counts = _delete_rows(session, case_id)
        services.engine.log(session, actor, "fall_geloescht", data={
            "fall": case_id, "abgeschlossen_am": closed_on, "abgeschlossen_vor": before.isoformat(),
            "zeilen": counts})
        work.commit()
    return counts


def _delete_rows(session: Session, case_id: int) -> dict[str, int]:
    tables = metadata().tables
    counts: dict[str, int] = {}
    # Form drafts went with their open tasks when the case was closed (task_drafts.task_id references
    # open_tasks.id ON DELETE CASCADE, migration 0014): a closed case has none.
    session.add(EventDeletionPermit(case_id=case_id))
    session.flush()
    # Every table that names the case (a table added later is included without a change here), those that
    # refer to others first.
    for table in reversed(metadata().sorted_tables):
        if table.name != "cases" and "case_id" in table.c and table.name != "event_deletion_permits":
            counts[table.name] = _count(session.execute(delete(table).where(table.c.case_id == case_id)))
    session.execute(delete(EventDeletionPermit).where(EventDeletionPermit.case_id == case_id))
    counts["cases"] = _count(session.execute(delete(tables["cases"]).where(tables["cases"].c.id == case_id)))
    return {name: count for name, count in sorted(counts.items()) if count}


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
