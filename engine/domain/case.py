"""The case (Fall): one eLb's counselling relationship, alive for years across many cycle instances."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKeyConstraint, Index, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from engine.runtime.store import Base, Event, Json, OpenTask, ProcessInstance, UtcDateTime, Wait, table

DEFAULT_PROCESS = "Beratungszyklus"
ACTIVE = "aktiv"
CLOSED = "beendet"
# Why a case is closed (it can be reopened: the client comes back).
CLOSE_REASONS = {"integriert": "Integration in Arbeit oder Ausbildung", "verzogen": "Umzug in einen anderen Bezirk",
                 "leistungsbezug_beendet": "Leistungsbezug beendet", "verstorben": "Verstorben",
                 "sonstiges": "Sonstiger Grund"}

# Values that belong to one pass of the cycle only; everything else (plan, next contact, history
# counters) is carried into the next pass, as DESIGN decision 1 requires.
PER_CYCLE_FIELDS = frozenset({"notiz", "verstossAm", "stichtag", "minderung", "wichtigerGrund", "haerte",
                              "schrittNr", "schrittErledigt", "schrittEntscheidung", "neueFrist", "gruende",
                              # issue 11: what one demand, hearing, decision or lifting needs, not the case
                              "rechtskreisFrist", "rfbFehlt", "zugangAm", "anhoerungFrist", "anhoerungPersoenlich",
                              "erfuelltAm", "aufhebungBegruendung", "aufgehobeneMinderungen", "einladungRfbFehlt",
                              "bekanntgabe", "rechtskreisVerstoss"})

INITIAL_DATA: dict[str, Any] = {
    "anfangsphase": True, "modus": "selbstbestimmt", "modusGrund": None, "ausnahme": "keine",
    "meldeversaeumnisse": [], "minderungen": [], "aufforderungen": [], "schlichtungLaeuft": False,
    "letztesGespraechAm": None,
    # A new case is in the start phase, which the priority table puts first (group 1); the table
    # decides again after every session.
    "prioritaetsgruppe": 1,
}


def initial_data(given: Mapping[str, Any]) -> dict[str, Any]:
    """A new case starts in the initial phase, self-determined, with empty histories."""
    return {**INITIAL_DATA, **given}


def case_columns(data: Mapping[str, Any], scheduled: date | None = None, today: date | None = None,
                 last_session: date | None = None) -> dict[str, Any]:
    """The case columns lists and the inbox filter on, from the case's current data (and the day of its last
    held session, for when it is due for contact again).

    The next contact is the agreed date (Folgetermin or Wiedervorlage) or, while a plan runs, the
    next date the process itself has scheduled (a step check, the review, the six-month report):
    the earliest of them from `today` on. Without them the case has no next contact.
    """
    density = data.get("kontaktdichte") if isinstance(data.get("kontaktdichte"), Mapping) else {}
    group = data.get("prioritaetsgruppe")
    agreed = data.get("naechsterKontaktAm") if isinstance(data.get("naechsterKontaktAm"), date) else None
    next_on, kind = agreed, data.get("naechsterKontakt")
    dates = [day for day in (agreed, scheduled) if day is not None]
    if today is not None and dates:
        upcoming = [day for day in dates if day >= today]
        next_on = min(upcoming) if upcoming else max(dates)
        if next_on != agreed:
            kind = "wiedervorlage"  # a date the process set: the task surfaces then
    return {
        "initial_phase": bool(data.get("anfangsphase", True)),
        "mode": data.get("modus"),
        "mode_reason": data.get("modusGrund"),
        "priority_group": group if isinstance(group, int) else None,
        "contact_interval_days": density.get("kontaktAbstandTage") if density else None,
        "next_contact_on": next_on,
        "next_contact_kind": kind,
        "contact_due_on": contact_due(last_session, density.get("kontaktAbstandTage") if density else None),
        "open_demands": sum(1 for demand in data.get("aufforderungen") or () if demand.get("status") == "offen"),
    }


def contact_due(last_session: date | None, interval_days: int | None) -> date | None:
    """When the case is due for its next session by its contact density (Kontaktdichte): the last held
    session plus the interval the decision table gave; None before the first session."""
    if last_session is None or not isinstance(interval_days, int):
        return None
    return last_session + timedelta(days=interval_days)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_team_priority", "team", "priority_group"),
                      Index("ix_cases_counsellor", "counsellor"),
                      Index("ix_cases_counsellor_contact_due", "counsellor", "contact_due_on"),
                      Index("ix_cases_team_contact_due", "team", "contact_due_on"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_number: Mapped[str] = mapped_column(String(40), unique=True)  # pseudonymous Kundennummer
    team: Mapped[str] = mapped_column(String(80))  # never changes: its instances and open tasks carry it
    counsellor: Mapped[str | None] = mapped_column(String(80), nullable=True)  # IFK user name
    process_id: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))  # ACTIVE, CLOSED
    cycle_count: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[Any] = mapped_column(Json())  # the case fields carried from cycle to cycle
    # Written from the data after every command, for lists and the inbox (no instance is loaded).
    initial_phase: Mapped[bool] = mapped_column(Boolean, default=True)
    mode: Mapped[str | None] = mapped_column(String(16), nullable=True)  # selbstbestimmt, fremdbestimmt
    mode_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    priority_group: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 1-6 (concept section 7)
    contact_interval_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    next_contact_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    next_contact_kind: Mapped[str | None] = mapped_column(String(32), nullable=True)
    open_demands: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    contact_due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)  # CLOSE_REASONS
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


def _link_runtime_tables(*tables: Table) -> None:
    """The runtime keeps the case's id on its tables; the foreign key to this table is declared here, by the
    layer that owns cases, so the generic runtime never names a domain table."""
    for runtime_table in tables:
        runtime_table.append_constraint(ForeignKeyConstraint(["case_id"], [table(Case).c.id]))


_link_runtime_tables(*(table(model) for model in (ProcessInstance, OpenTask, Wait, Event)))


def carry_over(final_data: Mapping[str, Any]) -> dict[str, Any]:
    """The case data a finished cycle hands to the next one."""
    return {key: value for key, value in final_data.items() if key not in PER_CYCLE_FIELDS}
