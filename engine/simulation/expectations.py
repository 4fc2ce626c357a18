"""What a scenario's `erwarte` step checks: each key read with file and line, and compared with what the case
does through the read models the pages use; a failure says what the case actually does."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from engine.domain.agenda import APPOINTMENT_KINDS, APPOINTMENT_STATUSES, CONTACT_KINDS
from engine.domain.case import ACTIVE, CLOSED
from engine.letters import produced
from engine.letters.fields import KINDS as LETTER_KINDS
from engine.queries import InboxFilter, inbox, passed_elements, waiting_at
from engine.queries.agenda import AppointmentRow, ContactRow, FollowUpRow, case_agenda, today
from engine.runtime.clock import BERLIN, berlin_date
from engine.runtime.formatting import date_text, datetime_text
from engine.runtime.store import OpenTask
from engine.services import Services
from engine.simulation import reading
from engine.simulation.reading import Names, label, labels
from engine.simulation.values import day_of, matches, plain, resolve_relative
from engine.simulation.workday import CASE_COUNSELLOR, STAFF, Office, appointments_text
from engine.simulation.yamlfile import Path_, ScenarioError, YamlFile

EXPECTATIONS = ("wartet", "wartet_genau", "wartet_nicht", "durchlaufen", "nie_durchlaufen", "offene_aufgaben",
                "aufgaben", "fall", "entscheidungen", "fallstatus", "ifk", "termine", "wiedervorlagen", "kontakte",
                "eingang", "dokumente")
NAME_LISTS = ("wartet", "wartet_genau", "wartet_nicht", "durchlaufen", "nie_durchlaufen")
TASK_DATES = {"faellig": "due_at", "wiedervorlage": "follow_up_at"}
INBOX = ("ifk", "enthaelt", "enthaelt_nicht", "aufgaben", "wiedervorlagen", "termine_heute")
CASE_STATUSES = (ACTIVE, CLOSED)
# Each entry of `termine`, `wiedervorlagen`, `kontakte`: its keys, how each is read, the required ones.
_Reader = Callable[[YamlFile, Any, Path_, str], Any]


def _choice(allowed: Iterable[str]) -> _Reader:
    known = tuple(allowed)
    return lambda read, value, where, key: reading.choice(read, value, where, key, known)


ROWS: dict[str, tuple[dict[str, _Reader], tuple[str, ...]]] = {
    "termine": ({"am": reading.day, "um": reading.clock_time, "status": _choice(APPOINTMENT_STATUSES),
                 "art": _choice(APPOINTMENT_KINDS), "rfb": reading.flag, "zweck": reading.text,
                 "ifk": _choice(STAFF)}, ("am",)),
    "wiedervorlagen": ({"am": reading.day, "grund": reading.text, "erledigt": reading.flag, "fuer": _choice(STAFF)},
                       ("am",)),
    "kontakte": ({"art": _choice(CONTACT_KINDS), "notiz": reading.text}, ()),
}


# --------------------------------------------------------------------------- loading


def load(read: YamlFile, where: Path_, value: Any, elements: Names, tasks: Names) -> dict[str, Any]:
    """The expectations of an `erwarte` step at `where` (the step), checked; names become element ids."""
    here = (*where, "erwarte")
    if not isinstance(value, dict) or not value:
        raise ScenarioError(read.file, read.line(*where), f"»erwarte« enthält eines oder mehrere von: "
                                                          f"{', '.join(EXPECTATIONS)}.")
    reading.refuse_unknown(read, value, EXPECTATIONS, here)
    expect: dict[str, Any] = {}
    for key, given in value.items():
        at = (*here, key)
        if key in NAME_LISTS:
            expect[key] = reading.names_list(read, given, at, elements, key, empty=key == "wartet_genau")
        elif key == "offene_aufgaben":
            expect[key] = reading.count(read, given, at, key)
        elif key == "aufgaben":
            expect[key] = _task_dates(read, given, at, tasks)
        elif key in ("fall", "entscheidungen"):
            expect[key] = dict(reading.mapping(read, given, at, key, f"{key}: {{modus: selbstbestimmt}}"))
        elif key == "fallstatus":
            expect[key] = reading.choice(read, given, at, key, CASE_STATUSES)
        elif key == "ifk":
            expect[key] = reading.choice(read, given, at, key, STAFF)
        elif key in ROWS:
            expect[key] = _rows(read, given, at, key)
        elif key == "eingang":
            expect[key] = _inbox(read, given, at, tasks)
        elif key == "dokumente":
            if not isinstance(given, list) or not given:
                raise ScenarioError(read.file, read.line(*at), "»dokumente« ist eine Liste von Briefarten, z. B. "
                                                               "dokumente: [anhoerung, minderungsbescheid].")
            expect[key] = [reading.choice(read, kind, (*at, number), key, LETTER_KINDS)
                           for number, kind in enumerate(given)]
    return expect


TaskDates = tuple[str, tuple[str, ...], dict[str, Any]]  # name, element ids, expected days by key


def _task_dates(read: YamlFile, value: Any, where: Path_, tasks: Names) -> list[TaskDates]:
    given = reading.mapping(read, value, where, "aufgaben", "aufgaben: {Schritt prüfen: {faellig: heute+7}}")
    result = []
    for name, dates in given.items():
        ids = reading.task(read, name, (*where, name), tasks, line=read.key_line(*where, name))
        wanted = reading.mapping(read, dates, (*where, name), str(name), f"{name}: {{faellig: heute+7, "
                                                                        "wiedervorlage: heute+3}")
        if not wanted:
            raise read.error(f"Bitte bei »{name}« »faellig« oder »wiedervorlage« angeben.", *where, name)
        reading.refuse_unknown(read, wanted, tuple(TASK_DATES), (*where, name))
        result.append((str(name), ids, {key: None if day is None else reading.day(read, day, (*where, name, key), key)
                                        for key, day in wanted.items()}))
    return result


def _rows(read: YamlFile, value: Any, where: Path_, key: str) -> list[dict[str, Any]]:
    readers, required = ROWS[key]
    if not isinstance(value, list):
        raise read.error(f"»{key}« ist eine Liste, z. B. »{key}: [{{{', '.join(f'{name}: …' for name in readers)}}}]«"
                         " (leer: »[]«).", *where)
    rows = []
    for index, entry in enumerate(value):
        at = (*where, index)
        if not isinstance(entry, dict) or not entry:
            raise read.error(f"Jeder Eintrag unter »{key}« ist eine Zuordnung mit {', '.join(readers)}.", *at)
        reading.refuse_unknown(read, entry, tuple(readers), at)
        for name in required:
            if name not in entry:
                raise read.error(f"Jeder Eintrag unter »{key}« braucht »{name}«.", *at)
        rows.append({name: readers[name](read, item, (*at, name), name) for name, item in entry.items()})
    return rows


def _inbox(read: YamlFile, value: Any, where: Path_, tasks: Names) -> dict[str, Any]:
    given = reading.mapping(read, value, where, "eingang", "eingang: {ifk: qa, enthaelt: [Beratungsgespräch führen]}")
    if not given:
        raise read.error(f"»eingang« nennt, was im Eingang stehen soll: {', '.join(INBOX)}.", *where)
    reading.refuse_unknown(read, given, INBOX, where)
    result: dict[str, Any] = {"ifk": reading.choice(read, given.get("ifk", CASE_COUNSELLOR), (*where, "ifk"), "ifk",
                                                    STAFF)}
    for key in ("enthaelt", "enthaelt_nicht"):
        if key in given:
            result[key] = reading.names_list(read, given[key], (*where, key), tasks, key)
    for key in ("aufgaben", "wiedervorlagen", "termine_heute"):
        if key in given:
            result[key] = reading.count(read, given[key], (*where, key), key)
    return result


# --------------------------------------------------------------------------- checking


@dataclass(frozen=True)
class Subject:
    """The simulated case an expectation is checked against."""

    services: Services
    office: Office
    case_id: int
    names: Names  # element names and ids
    incidental: frozenset[str]  # waited at only along with something else: boundary events, call activities and
    # subprocesses under way, start events of event subprocesses


def check(subject: Subject, expect: dict[str, Any]) -> list[str]:
    """The expectations that do not hold, each with what the case does instead."""
    services, case_id, names = subject.services, subject.case_id, subject.names
    day = services.clock.today()
    problems: list[str] = []
    waiting = waiting_at(services, case_id)
    for name, ids in expect.get("wartet", []):
        if not waiting & set(ids):
            problems.append(f"wartet nicht an »{name}«; wartet an: {labels(names, waiting) or 'nichts'}")
    if "wartet_genau" in expect:
        problems += _exactly(subject, waiting, expect["wartet_genau"])
    for name, ids in expect.get("wartet_nicht", []):
        if waiting & set(ids):
            problems.append(f"wartet an »{name}«, sollte es aber nicht")
    if "durchlaufen" in expect or "nie_durchlaufen" in expect:
        history = [element for _, element in passed_elements(services, case_id)]
        problems += _path(names, history, expect.get("durchlaufen", []))
        for name, ids in expect.get("nie_durchlaufen", []):
            if set(ids) & set(history):
                problems.append(f"»{name}« wurde durchlaufen, sollte es aber nie")
    if "offene_aufgaben" in expect or "aufgaben" in expect:
        problems += _tasks(services.open_tasks(case_id), expect, names, day)
    current = services.current_data(case_id) if "fall" in expect or "entscheidungen" in expect else {}
    for section in ("fall", "entscheidungen"):
        for key, value in resolve_relative(dict(expect.get(section, {})), day).items():
            if not matches(current.get(key), value):
                problems.append(f"{section}.{key}: erwartet {value!r}, tatsächlich {plain(current.get(key))!r}")
    if "fallstatus" in expect or "ifk" in expect:
        case = services.case(case_id)
        for key, actual in (("fallstatus", case.status), ("ifk", case.counsellor)):
            if key in expect and expect[key] != actual:
                problems.append(f"{key}: erwartet {expect[key]}, tatsächlich {actual}")
    if any(key in expect for key in ROWS):
        agenda = case_agenda(services, case_id)
        problems += _compare("termine", expect, sorted(agenda.appointments, key=lambda row: row.starts_at),
                             _appointment, day, appointments_text)
        problems += _compare("wiedervorlagen", expect, sorted(agenda.follow_ups, key=lambda row: (row.due_on, row.id)),
                             _follow_up, day, _follow_ups_text)
        problems += _compare("kontakte", expect, list(reversed(agenda.contacts)), _contact, day, _contacts_text)
    if "eingang" in expect:
        problems += _inbox_problems(subject, expect["eingang"])
    if "dokumente" in expect:
        problems += _documents(subject, expect["dokumente"])
    return problems


def _documents(subject: Subject, wanted: list[str]) -> list[str]:
    """The letters the process produced so far contain the wanted kinds in this order (others may lie between)."""
    with subject.services.reading() as session:
        made = [str(record["art"]) for record in produced.of_case(session, subject.case_id)]
    remaining = iter(made)
    if all(kind in remaining for kind in wanted):
        return []
    return [f"dokumente: erwartet (in Reihenfolge) {', '.join(wanted)}; erzeugt: {', '.join(made) or 'keine'}"]


def _exactly(subject: Subject, waiting: set[str], expected: list[tuple[str, tuple[str, ...]]]) -> list[str]:
    """Each name waited at, and nothing else waited at (boundary events and containers under way aside)."""
    named = {element for _, ids in expected for element in ids}
    core = waiting - subject.incidental
    missing = [name for name, ids in expected if not waiting & set(ids)]
    if missing or core - named:
        wanted = ", ".join(name for name, _ in expected) or "nichts"
        return [f"wartet nicht genau an: {wanted}; wartet an: {labels(subject.names, core) or 'nichts'}"]
    return []


def _path(names: Names, history: list[str], expected: list[tuple[str, tuple[str, ...]]]) -> list[str]:
    position = 0
    for element in history:
        if position < len(expected) and element in expected[position][1]:
            position += 1
    if position == len(expected):
        return []
    wanted = " → ".join(name for name, _ in expected)
    actual = " → ".join(label(names, element) for element in history)
    return [f"Pfad weicht ab bei »{expected[position][0]}«.\n    erwartet (in Reihenfolge): {wanted}\n"
            f"    tatsächlich: {actual}"]


def _tasks(open_tasks: list[OpenTask], expect: dict[str, Any], names: Names, day: date) -> list[str]:
    problems = []
    shown = ", ".join(task.name for task in open_tasks) or "keine"
    if "offene_aufgaben" in expect and len(open_tasks) != expect["offene_aufgaben"]:
        problems.append(f"offene Aufgaben: erwartet {expect['offene_aufgaben']}, tatsächlich {len(open_tasks)} "
                        f"({shown})")
    for name, ids, dates in expect.get("aufgaben", []):
        found = [task for task in open_tasks if task.element_id in ids]
        if not found:
            problems.append(f"die Aufgabe »{name}« ist nicht offen; offen sind: {shown}")
        for task in found:
            for key, wanted in dates.items():
                moment = getattr(task, TASK_DATES[key])
                actual = None if moment is None else berlin_date(moment)
                expected = None if wanted is None else day_of(wanted, day)
                if actual != expected:
                    problems.append(f"»{name}« {key}: erwartet {date_text(expected)}, tatsächlich {date_text(actual)}")
    return problems


def _compare(key: str, expect: dict[str, Any], rows: list[Any], fits: Callable[[Any, dict[str, Any], date], bool],
             day: date, shown: Callable[[list[Any]], str]) -> list[str]:
    """The rows, in order, are exactly the expected entries (each names only what it checks)."""
    if key not in expect:
        return []
    wanted = expect[key]
    if len(rows) == len(wanted) and all(fits(row, entry, day) for row, entry in zip(rows, wanted, strict=True)):
        return []
    described = "; ".join("{" + ", ".join(f"{name}: {_text(value, day)}" for name, value in entry.items()) + "}"
                          for entry in wanted) or "keine"
    return [f"{key}: erwartet {described}; tatsächlich: {shown(rows) or 'keine'}"]


def _text(value: Any, day: date) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, date) or (isinstance(value, str) and reading.RELATIVE_DAY.match(value)):
        return date_text(day_of(value, day))
    return str(value)


def _appointment(row: AppointmentRow, entry: dict[str, Any], day: date) -> bool:
    local = row.starts_at.astimezone(BERLIN)
    return (local.date() == day_of(entry["am"], day) and entry.get("um", local.time()) == local.time()
            and entry.get("status", row.status) == row.status and entry.get("art", row.kind) == row.kind
            and entry.get("rfb", row.with_rfb) == row.with_rfb and entry.get("zweck", "") in row.purpose
            and entry.get("ifk", row.counsellor) == row.counsellor)


def _follow_up(row: FollowUpRow, entry: dict[str, Any], day: date) -> bool:
    return (row.due_on == day_of(entry["am"], day) and entry.get("grund", "") in row.reason
            and entry.get("erledigt", row.done_at is not None) == (row.done_at is not None)
            and entry.get("fuer", row.owner) == row.owner)


def _contact(row: ContactRow, entry: dict[str, Any], day: date) -> bool:
    return entry.get("art", row.kind) == row.kind and entry.get("notiz", "") in row.note


def _follow_ups_text(rows: list[FollowUpRow]) -> str:
    return ", ".join(f"{date_text(row.due_on)} »{row.reason}« für {row.owner}{' erledigt' if row.done_at else ''}"
                     for row in rows)


def _contacts_text(rows: list[ContactRow]) -> str:
    return ", ".join(f"{datetime_text(row.at)} {row.kind} »{row.note}«" for row in rows)


def _inbox_problems(subject: Subject, wanted: dict[str, Any]) -> list[str]:
    """The inbox of an IFK now (their own cases) and what comes back today: appointments, due Wiedervorlagen."""
    member = subject.office.member(wanted["ifk"])
    page = inbox(subject.services, member, InboxFilter(scope="mine"))
    back = today(subject.services, member, mine_only=True)
    shown = {row.task_name for row in page.rows}
    shown_ids = {element for name in shown for element in subject.names.get(name, ())}
    listed = ", ".join(sorted(shown)) or "nichts"
    problems = []
    for name, ids in wanted.get("enthaelt", []):
        if name not in shown and not shown_ids & set(ids):
            problems.append(f"im Eingang von {wanted['ifk']} fehlt »{name}«; dort steht: {listed}")
    for name, ids in wanted.get("enthaelt_nicht", []):
        if name in shown or shown_ids & set(ids):
            problems.append(f"im Eingang von {wanted['ifk']} steht »{name}«, sollte es aber nicht")
    for key, actual, what in (("aufgaben", page.total, listed),
                              ("wiedervorlagen", len(back.follow_ups), _follow_ups_text(back.follow_ups)),
                              ("termine_heute", len(back.appointments), appointments_text(back.appointments))):
        if key in wanted and wanted[key] != actual:
            problems.append(f"Eingang von {wanted['ifk']}, {key}: erwartet {wanted[key]}, tatsächlich {actual}"
                            f"{f' ({what})' if actual else ''}")
    return problems
