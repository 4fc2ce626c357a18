"""The case (Fall): one eLb's counselling relationship, alive for years across many cycle instances."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.runtime.store import Base, Json, UtcDateTime

DEFAULT_PROCESS = "Beratungszyklus"

# Values that belong to one pass of the cycle only; everything else (plan, next contact, history
# counters) is carried into the next pass, as DESIGN decision 1 requires.
PER_CYCLE_FIELDS = frozenset({"notiz"})


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_number: Mapped[str] = mapped_column(String(40), unique=True)  # pseudonymous Kundennummer
    team: Mapped[str] = mapped_column(String(80))
    counsellor: Mapped[str | None] = mapped_column(String(80), nullable=True)  # IFK user name
    process_id: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))  # aktiv, beendet
    cycle_count: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[Any] = mapped_column(Json())  # the case fields carried from cycle to cycle
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


def carry_over(final_data: Mapping[str, Any]) -> dict[str, Any]:
    """The case data a finished cycle hands to the next one."""
    return {key: value for key, value in final_data.items() if key not in PER_CYCLE_FIELDS}
