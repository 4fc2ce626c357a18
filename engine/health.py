"""Whether a process can serve: the database answers and its schema is the newest (health endpoint, `sro check`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine import migrations
from engine.runtime.store import Database
from engine.settings import database_problem


@dataclass(frozen=True)
class Health:
    ok: bool
    reason: str  # German, for operators; never SQL or a driver's text

    def as_json(self) -> dict[str, Any]:
        return {"status": "ok" if self.ok else "gestoert", "grund": self.reason}


def check(database: Database) -> Health:
    try:
        current, head = migrations.pending(database)
    except Exception as error:  # the reason in German; the driver's text goes to the log of the caller
        return Health(False, database_problem(error))
    if current != head:
        return Health(False, f"Das Datenbankschema ist nicht aktuell (Stand {current or 'leer'}, neu {head}); "
                             "bitte `sro migrate` ausführen.")
    return Health(True, f"Datenbank erreichbar, Schema aktuell ({head}).")
