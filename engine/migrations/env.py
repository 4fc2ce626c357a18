"""Alembic environment: runs against the engine handed over by engine.migrations.config()."""

from __future__ import annotations

from alembic import context

from engine.models import metadata

connectable = context.config.attributes["engine"]
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata(), render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
