"""What the workplace keeps besides the process: drafts of forms and saved inbox filters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.runtime.store import Base, Json, UtcDateTime


class TaskDraft(Base):
    """A half-filled form, kept per task and person while the task is open: the database deletes it with the open
    task's row, whichever way the task ended (migration 0014)."""

    __tablename__ = "task_drafts"
    task_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("open_tasks.id", ondelete="CASCADE", name="fk_task_drafts_task_id"), primary_key=True)
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


class SignInVersion(Base):
    """The sessions of one person: a session carries the version it began with and ends when the version moves on
    (signing out, a new password, another role). A row appears with the first sign-in."""

    __tablename__ = "sign_in_versions"
    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)


class EventDeletionPermit(Base):
    """A case whose event rows may be deleted: written and removed by the retention command in the transaction that
    deletes the case (the event log's trigger refuses every other UPDATE and DELETE; migration 0009)."""

    __tablename__ = "event_deletion_permits"
    case_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
