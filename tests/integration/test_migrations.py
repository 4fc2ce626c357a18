"""The Alembic migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from engine.domain import case as _case  # noqa: F401  (registers the domain tables)
from engine.domain import staff as _staff  # noqa: F401
from engine.domain import workplace as _workplace  # noqa: F401
from engine.runtime.store import Base
from engine.services import Services
from engine.simulation import walk as _walk  # noqa: F401


def test_migrated_schema_matches_models(services: Services) -> None:
    with services.engine.database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
