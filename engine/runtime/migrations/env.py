"""Alembic environment: runs against the engine handed over by engine.runtime.store.Database."""

from __future__ import annotations

from alembic import context

from engine.domain import case as _case  # noqa: F401  (registers the domain tables on the metadata)
from engine.domain import staff as _staff  # noqa: F401
from engine.domain import workplace as _workplace  # noqa: F401
from engine.runtime.store import Base
from engine.simulation import walk as _walk  # noqa: F401

connectable = context.config.attributes["engine"]
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
