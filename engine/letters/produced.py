"""Letters produced where the process reaches them: after each command, in its transaction, every letter the case
now yields that was not produced before is rendered from the deployed templates and kept in the event log (kind,
number, title, content hash, template hash and the data it was made from), to be sent.

The process itself needs no letter element: what it records (a demand with its RFB, a hearing deadline, a decided
reduction, a lifting, an exclusion) and what the agenda books (an invitation) yields the letter, through the same
`letters_of` the case file shows. A letter is one (kind, number, title); the title carries the event's own date, so
a later step does not produce it again, while a new hearing or decision does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Protocol

from sqlalchemy import JSON, Select, bindparam, cast, select, type_coerce
from sqlalchemy.orm import Session

from engine.domain.agenda import PLANNED, Appointment
from engine.domain.case import DEFAULT_PROCESS, Case
from engine.letters import stored
from engine.letters.of_case import INVITATION, CaseLetter, Invitation, letters_of
from engine.letters.render import render
from engine.letters.stored import LetterTemplateSet
from engine.runtime import dmn
from engine.runtime.engine import ProcessEngine
from engine.runtime.store import Event, ProcessVersion

PRODUCED = "schreiben_erstellt"  # the event of a letter the process produced (to be sent)
CASE_CREATED = "fall_angelegt"  # engine.services.start_case: its data is what the case brought along


class CaseFields(Protocol):
    """What a letter needs of a case (a Case or a row of its columns)."""

    @property
    def customer_number(self) -> str: ...

    @property
    def counsellor(self) -> str | None: ...


def case_fields(case: CaseFields, counsellor: str | None = None) -> dict[str, Any]:
    # Name and address come from the master data of the Federal Employment Agency, which this product does not
    # keep (the case is pseudonymous): the letter carries the customer number.
    return {"kundennummer": case.customer_number, "ifkName": case.counsellor or counsellor or "Ihre Ansprechperson",
            "anschrift": "(Anschrift laut Stammdaten)"}


_PLANNED = (select(Appointment.id, Appointment.starts_at, Appointment.kind, Appointment.purpose, Appointment.with_rfb,
                   Appointment.created_at)
            .where(Appointment.case_id == bindparam("case_id"), Appointment.status == PLANNED)
            .order_by(Appointment.starts_at))


def invitations(session: Session, case_id: int) -> list[Invitation]:
    """The case's planned appointments, as the command left them: what it changed through the ORM (an appointment
    moved or cancelled) is written first (the session does not autoflush; no statement when nothing is pending)."""
    session.flush()
    return [Invitation(*row) for row in session.connection().execute(_PLANNED, {"case_id": case_id})]


def regime_on(engine: ProcessEngine, session: Session, process_id: str = DEFAULT_PROCESS) -> Callable[[date], str]:
    """The regime on a day, by the decision Rechtskreis of the deployed version (the only place that holds the
    reform's date)."""
    version = engine.latest_version(session, process_id)
    decisions = dmn.decisions_of(engine.deployment(session, deployment_id)[1]
                                 for deployment_id in [version.deployment_id, *version.requires])

    def on(day: date) -> str:
        return str(dmn.evaluate(decisions, "Rechtskreis", {"stichtag": day}).value)

    return on


def produced(session: Session, case_id: int) -> dict[tuple[str, int, str], dict[str, Any]]:
    """The letters produced for a case so far, by (kind, number, title), with their record."""
    found: dict[tuple[str, int, str], dict[str, Any]] = {}
    for record, at in session.execute(select(Event.data, Event.at).where(Event.case_id == case_id,
                                                                         Event.kind == PRODUCED).order_by(Event.id)):
        if isinstance(record, dict):
            found[(str(record.get("art")), int(record.get("nr") or 0), str(record.get("titel")))] = {**record,
                                                                                                     "erstelltUm": at}
    return found


def _identity_statement(dialect: str) -> Select[tuple[Any, Any, Any]]:
    # The events keep JSON as text (engine.runtime.store.Json): PostgreSQL reads the three keys from the text cast
    # to JSON, SQLite through its JSON functions; only the keys travel, not the letter's data.
    data = cast(Event.data, JSON) if dialect == "postgresql" else type_coerce(Event.data, JSON)
    return (select(data["art"].as_string(), data["nr"].as_string(), data["titel"].as_string())
            .where(Event.case_id == bindparam("case_id"), Event.kind == PRODUCED))


_IDENTITIES = {dialect: _identity_statement(dialect) for dialect in ("postgresql", "sqlite")}


def identities(session: Session, case_id: int) -> set[tuple[str, int, str]]:
    """The (kind, number, title) of every letter produced for a case so far."""
    connection = session.connection()
    return {(str(kind), int(nr or 0), str(title))
            for kind, nr, title in connection.execute(_IDENTITIES[connection.dialect.name], {"case_id": case_id})}


def of_case(session: Session, case_id: int) -> list[dict[str, Any]]:
    """The records of the letters produced for a case, oldest first, each with `erstelltUm`."""
    return list(produced(session, case_id).values())


def identity(letter: CaseLetter) -> tuple[str, int, str]:
    return letter.kind, letter.nr, letter.title


# The case's columns, the hash of the current template set (stored.current_sha256) and the id of the latest
# version of the case's process (whose decision Rechtskreis gives an invitation's RFB), as scalar subqueries.
_CASE = select(Case.id, Case.customer_number, Case.counsellor, Case.process_id,
               select(LetterTemplateSet.sha256).order_by(LetterTemplateSet.activation.desc()).limit(1)
               .scalar_subquery().label("templates_sha256"),
               select(ProcessVersion.id).where(ProcessVersion.process_id == Case.process_id)
               .order_by(ProcessVersion.version.desc()).limit(1).scalar_subquery().label("version_id"),
               ).where(Case.id == bindparam("case_id"))
_CREATED = (select(Event.data).where(Event.case_id == bindparam("case_id"), Event.kind == CASE_CREATED)
            .order_by(Event.id).limit(1))


class LetterProduction:
    """The step hook Services calls before a command commits (bound in engine.bootstrap)."""

    def __init__(self, engine: ProcessEngine) -> None:
        self.engine = engine
        # Kept per engine like its parsed diagrams (a step must not re-read 50 KB of templates or re-parse the
        # decision tables): the current template set by its hash, the regime decision per process version.
        self._templates: tuple[str, dict[str, str]] | None = None
        self._regimes: dict[int, Callable[[date], str]] = {}

    def _current_templates(self, session: Session, sha: str | None) -> dict[str, str] | None:
        if sha is None:
            return None  # a deployment without templates (`vorlagen/`) produces no letters
        if self._templates is None or self._templates[0] != sha:
            self._templates = (sha, stored.deployed(session))
        return self._templates[1]

    def _regime_on(self, session: Session, process_id: str, version_id: int | None) -> Callable[[date], str]:
        found = self._regimes.get(version_id) if version_id is not None else None
        if found is None:
            version = self.engine.latest_version(session, process_id)
            found = self._regimes[version.id] = regime_on(self.engine, session, process_id)
        return found

    def __call__(self, session: Session, case_id: int, data: Mapping[str, Any], actor: str) -> None:
        # One statement for the case's columns and the hash of the current template set (every command). The
        # session does not autoflush: a case the command changed through the ORM is written first (no statement
        # when nothing is pending), so the columns are read as the command left them. Prebuilt statements on the
        # session's connection: this runs on every command.
        session.flush()
        case = session.connection().execute(_CASE, {"case_id": case_id}).first()
        if case is None:
            return
        templates = self._current_templates(session, case.templates_sha256)
        if templates is None:
            return
        planned = invitations(session, case_id)
        letters = letters_of(data, case_fields(case), planned,
                             self._regime_on(session, case.process_id, case.version_id) if planned else None,
                             self.engine.clock.today())
        if not letters:
            return
        made_before = identities(session, case_id)
        new = [letter for letter in letters if identity(letter) not in made_before]
        if not new:
            return
        # What a case brought along yields no invitation (letters_of without appointments): only a new letter of
        # another kind needs the case-created record read.
        brought_along = self._brought_along(session, case) if any(letter.kind != INVITATION for letter in new) \
            else set()
        for letter in new:
            if identity(letter) in brought_along:
                continue
            made = render(letter.kind, letter.data, templates)
            self.engine.log(session, actor, PRODUCED, case_id=case_id,
                            data={**made.record(), "nr": letter.nr, "titel": letter.title})

    def _brought_along(self, session: Session, case: Any) -> set[tuple[str, int, str]]:
        """The letters of what a case brought along when it was created here (a reduction decided before): those
        were sent before the case came into this product and are not produced again."""
        created = session.connection().execute(_CREATED, {"case_id": case.id}).scalar()
        if not isinstance(created, dict) or not created.get("daten"):
            return set()
        data = self.engine.serializer.restore_data(created)["daten"]
        return {identity(letter) for letter in letters_of(data, case_fields(case))}
