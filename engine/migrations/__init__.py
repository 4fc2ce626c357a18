"""The schema's history (Alembic): runtime, domain, workplace and simulation tables, in one line of revisions.

The migrations live in the application layer because they see every table; the generic runtime
knows only its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.runtime.store import Database

FOLDER = Path(__file__).resolve().parent


def config(database: Database) -> Any:
    from alembic.config import Config

    result = Config()
    result.set_main_option("script_location", str(FOLDER))
    result.attributes["engine"] = database.engine
    return result


def upgrade(database: Database) -> None:
    """Bring the schema to the newest revision."""
    from alembic import command

    command.upgrade(config(database), "head")


def pending(database: Database) -> tuple[str | None, str | None]:
    """(the database's revision, the newest revision): equal when the schema is current."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(config(database)).get_current_head()
    with database.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, head
