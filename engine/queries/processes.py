"""Deployed processes and their versions: the start page of process owners, QA and administration."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from engine.domain.case import Case
from engine.runtime.store import ProcessVersion
from engine.services import Services


@dataclass(frozen=True)
class ProcessOverview:
    versions: list[ProcessVersion]  # newest version of each process first
    cases: int


def process_overview(services: Services) -> ProcessOverview:
    """Deployed processes and their versions, and how many cases there are (the start page without case data)."""
    with services.reading() as session:
        versions = list(session.scalars(select(ProcessVersion).order_by(ProcessVersion.process_id,
                                                                        ProcessVersion.version.desc())))
        return ProcessOverview(versions, session.scalar(select(func.count(Case.id))) or 0)
