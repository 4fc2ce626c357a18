"""What the workplace keeps besides the process: held sessions, drafts of forms, saved inbox filters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.runtime.store import Base, Json, UtcDateTime


class CounsellingSession(Base):
    """A Beratungsgespräch that took place (for the weekly figures: 20 per VZÄ, share in person)."""

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


class TaskDraft(Base):
    """A half-filled form, kept per task and person until the task is completed."""

    __tablename__ = "task_drafts"
    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    data: Mapped[Any] = mapped_column(Json())
    saved_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SavedFilter(Base):
    """An inbox filter kept on the server (not in one browser)."""

    __tablename__ = "saved_filters"
    __table_args__ = (UniqueConstraint("username", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(80))
    params: Mapped[Any] = mapped_column(Json())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
