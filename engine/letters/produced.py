"""Letters produced where the process reaches them: after each command, in its transaction, every letter the case
now yields that was not produced before is rendered from the deployed templates and kept in the event log (kind,
number, title, content hash, template hash and the data it was made from), to be sent.

The process itself needs no letter element: what it records (a demand with its RFB, a hearing deadline, a decided
reduction, a lifting, an exclusion) and what the agenda books (an invitation) yields the letter, through the same
`letters_of` the case file shows. A letter is one (kind, number, title); the title carries the event's own date, so
a later step does not produce it again, while a new hearing or decision does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import (
    JSON,
    Boolean,
    CompoundSelect,
    Integer,
    String,
    bindparam,
    cast,
    column,
    func,
    join,
    literal,
    literal_column,
    null,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from engine.domain.agenda import PLANNED, Appointment
from engine.domain.case import DEFAULT_PROCESS, Case
from engine.letters import stored
from engine.letters.of_case import INVITATION, CaseLetter, Invitation, letters_of
from engine.letters.render import render
from engine.letters.stored import LetterTemplateSet
from engine.runtime import dmn
from engine.runtime.engine import ProcessEngine
from engine.runtime.store import Event, ProcessVersion, UtcDateTime

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


_DECIDED_DAYS = 800  # days a regime function keeps decided (a year ahead of appointments, and some back)


def regime_on(engine: ProcessEngine, session: Session, process_id: str = DEFAULT_PROCESS) -> Callable[[date], str]:
    """The regime on a day, by the decision Rechtskreis of the deployed version (the only place that holds the
    reform's date)."""
    version = engine.latest_version(session, process_id)
    decisions = dmn.decisions_of(engine.deployment(session, deployment_id)[1]
                                 for deployment_id in [version.deployment_id, *version.requires])

    # The decision's only input is the day (no clock, no functions): each day is decided once per version and
    # process, as every invitation of a completed session asks it for the appointment's day (issue 12).
    decided: dict[date, str] = {}

    def on(day: date) -> str:
        found = decided.get(day)
        if found is None:
            if len(decided) >= _DECIDED_DAYS:
                decided.clear()
            found = decided[day] = str(dmn.evaluate(decisions, "Rechtskreis", {"stichtag": day}).value)
        return found

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


def of_case(session: Session, case_id: int) -> list[dict[str, Any]]:
    """The records of the letters produced for a case, oldest first, each with `erstelltUm`."""
    return list(produced(session, case_id).values())


def identity(letter: CaseLetter) -> tuple[str, int, str]:
    return letter.kind, letter.nr, letter.title


# One statement for what the hook reads on every command (three round trips before, a fifth of a completion's
# hook): the case's columns with the hash of the current template set (stored.current_sha256) and the id of the
# latest version of the case's process (whose decision Rechtskreis gives an invitation's RFB), the case's planned
# appointments (as the command left them), and the (kind, number, title) of every letter produced for it so far.
# The parts share columns (`part` says which row is what); the case's row comes first, the appointments in order.
_CASE_PART, _PLANNED_PART, _PRODUCED_PART = 0, 1, 2


def _reads_statement(dialect: str, *, many: bool = False) -> CompoundSelect[Any]:
    """The hook's read for the case `case_id`, or (`many`) for each of the cases `case_ids`, each row with its case
    id (`cid`) and in order of it."""
    data = cast(Event.data, JSON) if dialect == "postgresql" else type_coerce(Event.data, JSON)

    def of_case(column: Any) -> Any:
        return column.in_(bindparam("case_ids", expanding=True)) if many else column == bindparam("case_id")

    no_text, no_number = cast(null(), String()), cast(null(), Integer())
    no_time, no_flag = cast(null(), UtcDateTime()), cast(null(), Boolean())
    case_row = select(
        literal(_CASE_PART).label("part"), Case.customer_number.label("s1"), Case.counsellor.label("s2"),
        Case.process_id.label("s3"),
        select(LetterTemplateSet.sha256).order_by(LetterTemplateSet.activation.desc()).limit(1)
        .scalar_subquery().label("s4"),
        select(ProcessVersion.id).where(ProcessVersion.process_id == Case.process_id)
        .order_by(ProcessVersion.version.desc()).limit(1).scalar_subquery().label("n"),
        no_time.label("t1"), no_time.label("t2"), no_flag.label("flag"), Case.id.label("cid"),
    ).where(of_case(Case.id))
    planned = select(literal(_PLANNED_PART), Appointment.kind, Appointment.purpose, no_text, no_text, Appointment.id,
                     Appointment.starts_at, Appointment.created_at, Appointment.with_rfb, Appointment.case_id
                     ).where(of_case(Appointment.case_id), Appointment.status == PLANNED)
    if dialect == "postgresql":
        # The letter's record is 2-3 KB of JSON (text): each `->>` parses it again, three fields four times
        # (a cast that checks, three lookups; 36 µs per letter on every command). json_to_record reads it once.
        record = func.json_to_record(data).table_valued(
            column("art", String), column("nr", String), column("titel", String)).render_derived(with_types=True)
        identity_columns: tuple[Any, ...] = (record.c.art, record.c.nr, record.c.titel)
        events: Any = join(Event, record, true(), isouter=True)  # a record that is no object: NULLs, as `->>`
    else:
        identity_columns, events = (data["art"].as_string(), data["nr"].as_string(), data["titel"].as_string()), Event
    letters = select(literal(_PRODUCED_PART), *identity_columns, no_text, no_number, no_time, no_time, no_flag,
                     Event.case_id).select_from(events).where(of_case(Event.case_id), Event.kind == PRODUCED)
    statement: CompoundSelect[Any] = union_all(case_row, planned, letters).order_by(  # type: ignore[assignment]
        literal_column("cid"), literal_column("part"), literal_column("t1"))
    return statement


_READS = {dialect: _reads_statement(dialect) for dialect in ("postgresql", "sqlite")}
_READS_MANY = {dialect: _reads_statement(dialect, many=True) for dialect in ("postgresql", "sqlite")}
_PREFETCHED = "sro.letters.prefetched"  # Session.info key: case id -> what `prefetch` read for it (None: no case)


@dataclass(frozen=True)
class _CaseRead:
    """What the hook read of a case in its one statement."""

    id: int
    customer_number: str
    counsellor: str | None
    process_id: str
    templates_sha256: str | None
    version_id: int | None
    planned: list[Invitation]
    made_before: set[tuple[str, int, str]]


def _read(session: Session, case_id: int) -> _CaseRead | None:
    connection = session.connection()
    return _case_read(case_id, connection.execute(_READS[connection.dialect.name], {"case_id": case_id}).all())


def _read_many(session: Session, case_ids: list[int]) -> dict[int, _CaseRead | None]:
    connection = session.connection()
    rows: dict[int, list[Any]] = {case_id: [] for case_id in case_ids}
    for row in connection.execute(_READS_MANY[connection.dialect.name], {"case_ids": case_ids}):
        rows[row.cid].append(row)
    return {case_id: _case_read(case_id, found) for case_id, found in rows.items()}


def _case_read(case_id: int, rows: Sequence[Any]) -> _CaseRead | None:
    if not rows or rows[0].part != _CASE_PART:
        return None
    case = rows[0]
    return _CaseRead(case_id, case.s1, case.s2, case.s3, case.s4, case.n,
                     [Invitation(row.n, row.t1, row.s1, row.s2, bool(row.flag), row.t2)
                      for row in rows if row.part == _PLANNED_PART],
                     {(str(row.s1), int(row.s2 or 0), str(row.s3)) for row in rows if row.part == _PRODUCED_PART})


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

    def prefetch(self, session: Session, case_ids: list[int]) -> None:
        """Read for several cases at once what each call will need (a timer sweep's batch: one statement instead
        of one per case). Called when the command's changes are done, right before the calls; each call takes its
        case's read once. What one call writes (its letters' events) is no part of another case's read."""
        session.flush()
        session.info[_PREFETCHED] = _read_many(session, case_ids)

    def __call__(self, session: Session, case_id: int, data: Mapping[str, Any], actor: str) -> None:
        # The session does not autoflush: what the command changed through the ORM (the case, an appointment moved
        # or cancelled) is written first (no statement when nothing is pending), so the case and its agenda are read
        # as the command left them, in one prebuilt statement on the session's connection: this runs on every
        # command.
        prefetched = session.info.get(_PREFETCHED)
        if prefetched is not None and case_id in prefetched:
            case = prefetched.pop(case_id)
            if not prefetched:
                del session.info[_PREFETCHED]
        else:
            session.flush()
            case = _read(session, case_id)
        if case is None:
            return
        templates = self._current_templates(session, case.templates_sha256)
        if templates is None:
            return
        letters = letters_of(data, case_fields(case), case.planned,
                             self._regime_on(session, case.process_id, case.version_id) if case.planned else None,
                             self.engine.clock.today())
        new = [letter for letter in letters if identity(letter) not in case.made_before]
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
