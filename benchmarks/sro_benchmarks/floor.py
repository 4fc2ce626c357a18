"""The floor a step is judged against: SQLite committing a state of the same size, and nothing else.

A plain `sqlite3` connection on its own file, a table with one row; one commit is BEGIN, an UPDATE
of that row with a text of exactly the byte size of the stored state, COMMIT. Whatever a step
costs beyond this is the engine's (restore, run, projections, event log, the ORM).
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from engine.runtime.store import Database
from sro_benchmarks.figures import summary

SYNCHRONOUS = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}


def product_pragmas(database: Database) -> dict[str, str]:
    """journal_mode and synchronous as the product's own connections have them (engine/runtime/store.py)."""
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        journal_mode = str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).upper()
        synchronous = SYNCHRONOUS[int(cursor.execute("PRAGMA synchronous").fetchone()[0])]
    finally:
        raw.close()
    return {"journal_mode": journal_mode, "synchronous": synchronous}


class Floor:
    """One-row table on its own SQLite file, committed with the given pragmas."""

    def __init__(self, path: Path, *, journal_mode: str, synchronous: str) -> None:
        self.pragmas = {"journal_mode": journal_mode.upper(), "synchronous": synchronous.upper()}
        self.samples: list[float] = []
        self._connection = sqlite3.connect(path, isolation_level=None)  # we issue BEGIN and COMMIT ourselves
        self._connection.execute(f"PRAGMA journal_mode={journal_mode}")
        self._connection.execute(f"PRAGMA synchronous={synchronous}")
        self._connection.execute("CREATE TABLE state (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        self._connection.execute("INSERT INTO state (id, body) VALUES (1, '')")

    def commit(self, size: int) -> None:
        """Write `size` bytes (ASCII) into the row and commit; the time goes into `samples`."""
        body = os.urandom(size // 2 + 1).hex()[:size]  # new content each time, like a changed state
        begin = time.perf_counter()
        self._connection.execute("BEGIN")
        self._connection.execute("UPDATE state SET body = ? WHERE id = 1", (body,))
        self._connection.execute("COMMIT")
        self.samples.append(time.perf_counter() - begin)

    def close(self) -> None:
        self._connection.close()

    def figures(self, digits: int) -> dict[str, Any]:
        return {"pragmas": self.pragmas, "commit": summary(self.samples, digits=digits)}
