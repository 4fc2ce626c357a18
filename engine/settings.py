"""Settings from the environment, checked when a command starts, with German messages (issue 12).

DATABASE_URL (an SQLAlchemy URL; default: the SQLite file under var/), SRO_VAR (the folder for the secret key,
default var/), SRO_LOG_FORMAT (`text` or `json`), SRO_PROXY_HOPS (0 to 3). A setting that cannot work stops the
command before anything is done: a database folder that does not exist is refused, never created (only the default
var/ is created).
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from engine.runtime.errors import EngineError

DEFAULT_DATABASE_URL = "sqlite:///var/sro.sqlite3"
LOG_FORMATS = ("text", "json")


class SettingsError(EngineError):
    """A setting from the environment that cannot work; the message names the variable and what to do."""


def database_url() -> str:
    """DATABASE_URL checked: a URL SQLAlchemy understands, a driver we support, an SQLite file in an existing,
    writable folder. The default (var/sro.sqlite3) creates var/ as `make run` expects on a fresh clone."""
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise SettingsError("DATABASE_URL ist keine gültige Datenbank-Adresse (Beispiel: "
                            "postgresql+psycopg://benutzer@rechner:5432/datenbank).") from error
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise SettingsError(f"DATABASE_URL nennt die Datenbank »{parsed.get_backend_name()}«; unterstützt sind "
                            "PostgreSQL (postgresql+psycopg://…) und SQLite (sqlite:///pfad).")
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        folder = Path(parsed.database).parent
        if url == DEFAULT_DATABASE_URL:
            folder.mkdir(parents=True, exist_ok=True)
        elif not folder.is_dir():
            raise SettingsError(f"DATABASE_URL: den Ordner {folder} gibt es nicht; er wird nicht angelegt. "
                                "Bitte einen vorhandenen Ordner angeben oder ihn zuerst anlegen.")
        if not os.access(folder, os.W_OK):
            raise SettingsError(f"DATABASE_URL: in den Ordner {folder} darf dieser Prozess nicht schreiben.")
    return url


def var_folder() -> Path:
    """SRO_VAR (default var/): must be a writable folder (the secret key lives there)."""
    folder = Path(os.environ.get("SRO_VAR", "var"))
    if folder.exists() and not folder.is_dir():
        raise SettingsError(f"SRO_VAR: {folder} ist kein Ordner.")
    if not folder.exists() and not folder.parent.is_dir():
        raise SettingsError(f"SRO_VAR: den Ordner {folder.parent} gibt es nicht; er wird nicht angelegt.")
    if folder.exists() and not os.access(folder, os.W_OK):
        raise SettingsError(f"SRO_VAR: in den Ordner {folder} darf dieser Prozess nicht schreiben.")
    return folder


def log_format() -> str:
    value = os.environ.get("SRO_LOG_FORMAT", "text").strip().lower()
    if value not in LOG_FORMATS:
        raise SettingsError(f"SRO_LOG_FORMAT »{value[:20]}« gibt es nicht; erlaubt sind {' und '.join(LOG_FORMATS)}.")
    return value


def proxy_hops() -> int:
    """SRO_PROXY_HOPS: how many proxies in front of the web app may be trusted for X-Forwarded-For (0 to 3)."""
    value = os.environ.get("SRO_PROXY_HOPS", "0").strip() or "0"
    if value not in {"0", "1", "2", "3"}:
        raise SettingsError(f"SRO_PROXY_HOPS »{value[:10]}« muss 0 bis 3 sein (Anzahl der vertrauten Proxys).")
    return int(value)


def database_problem(error: BaseException) -> str:
    """A German sentence for a database that cannot be used; the driver's English text is left out (it goes to
    the log), since it may name hosts, users and SQL."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    text = str(error).lower()
    if isinstance(error, OperationalError) or "connection" in text or "could not connect" in text:
        if "does not exist" in text:
            return "Die Datenbank ist nicht erreichbar: die Datenbank oder der Benutzer aus DATABASE_URL fehlt."
        if "password" in text or "authentication" in text:
            return "Die Datenbank ist nicht erreichbar: die Anmeldung an der Datenbank wurde abgelehnt."
        return ("Die Datenbank ist nicht erreichbar. Bitte prüfen Sie DATABASE_URL und ob der Datenbankserver "
                "läuft.")
    if isinstance(error, DBAPIError):
        return "Die Datenbank hat den Befehl abgelehnt. Es wurde nichts gespeichert."
    return "Die Datenbank ist nicht benutzbar."


def database_unavailable(error: BaseException | None) -> bool:
    """Whether an error means the database cannot be reached right now (the web answers 503, not 500)."""
    from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

    return isinstance(error, OperationalError | DisconnectionError | InterfaceError)
