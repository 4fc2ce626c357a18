"""Every table of the product on one metadata: for the migrations and the schema test."""

from __future__ import annotations

from sqlalchemy import MetaData

from engine.runtime.store import Base


def metadata() -> MetaData:
    """The metadata with the tables of every layer registered (importing a module declares its tables)."""
    from engine.domain import agenda, case, counselling, staff  # noqa: F401
    from engine.letters import stored  # noqa: F401
    from engine.simulation import walk  # noqa: F401
    from engine.workplace import tables  # noqa: F401

    return Base.metadata
