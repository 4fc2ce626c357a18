"""Held counselling sessions (Beratungsgespräche): what the weekly figures count (20 per VZÄ, share in person)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.runtime.store import Base, UtcDateTime

IN_PERSON = "praesenz"
BY_PHONE = "telefon"
SESSION_KINDS = frozenset({IN_PERSON, BY_PHONE})  # e-mail is a contact, not a session


class CounsellingSession(Base):
    """A Beratungsgespräch that took place."""

    __tablename__ = "counselling_sessions"
    __table_args__ = (Index("ix_sessions_counsellor_held", "counsellor", "held_at"),
                      Index("ix_sessions_team_held", "team", "held_at"),
                      Index("ix_sessions_case_held", "case_id", "held_at"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(Integer)
    counsellor: Mapped[str] = mapped_column(String(80))
    team: Mapped[str] = mapped_column(String(80))
    held_at: Mapped[datetime] = mapped_column(UtcDateTime())
    kind: Mapped[str] = mapped_column(String(16))  # praesenz, telefon
    element_id: Mapped[str] = mapped_column(String(255))
