"""A small demo caseload through the real service functions (the full demo comes with the web issue)."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from engine.domain.case import Case
from engine.runtime.clock import BERLIN

TEAMS = ("team-nord", "team-sued", "team-mitte")


def seed(services: Any, count: int, seed_value: int = 20251124) -> int:
    """Create `count` cases with pseudonymous customer numbers; skip if demo cases exist already."""
    rng = random.Random(seed_value)  # noqa: S311  (demo data, not security)
    with services.engine.database.session() as session:
        existing = session.scalar(select(func.count(Case.id)).where(Case.customer_number.like("D-%"))) or 0
    today = services.engine.clock.now().astimezone(BERLIN).date()
    for number in range(existing, count):
        first_contact = today + timedelta(days=rng.randint(0, 20))
        services.start_case(f"D-{number + 1:06d}", TEAMS[number % len(TEAMS)],
                            data={"naechsterKontaktAm": first_contact}, actor="demo")
    return max(count - existing, 0)
