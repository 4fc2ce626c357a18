"""The template cases of the workplace benchmark: one real case per waiting state and priority group.

Each is driven through the real service functions on a simulated clock (`Services.start_case`,
`complete_task`, `fire_due_timers`), so its rows are what the product itself writes; they are then
read back, with every task id, date and name a clone replaces marked in their JSON texts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Date, Table, Text, select, type_coerce

from engine.domain.case import Case
from engine.domain.counselling import CounsellingSession
from engine.runtime.clock import BERLIN, SimulatedClock
from engine.runtime.store import Event, Json, OpenTask, ProcessInstance, UtcDateTime, Wait, table
from engine.services import Services
from sro_benchmarks import counsellor
from sro_benchmarks.counsellor import Counsellor

START = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)  # a Monday; templates start here, "now" is a week later
TEMPLATE_ACTOR = "vorlagen-ifk"
TEMPLATE_TEAM = "vorlagen-team"
TEMPLATE_PREFIX = "VORLAGE-"

# The answers of a first session that lead to each priority group (processes/entscheidungen/prioritaet.dmn),
# how the next contact is agreed and how many days ahead (the group's contact density).
GROUPS: dict[int, tuple[dict[str, Any], str, int]] = {
    2: ({"kooperationsbereit": True, "integrationsnah": True}, "folgetermin_praesenz", 14),
    3: ({"kooperationsbereit": True}, "folgetermin_telefon", 28),
    4: ({"kooperationsbereit": False}, "folgetermin_praesenz", 42),
    5: ({"kooperationsbereit": True, "erwerbsminderungPruefung": True}, "wiedervorlage", 90),
    6: ({"kooperationsbereit": True, "ohneVeraenderungsperspektive": True}, "wiedervorlage", 180),
}
GROUP_SHARES = {2: 0.20, 3: 0.35, 4: 0.20, 5: 0.10, 6: 0.15}
INVITATION_DAYS = 10  # Wiedervorlage of a new case: the first appointment
PLAN_TIMER_DAYS = 28  # cases waiting in their plan: the first step's Wiedervorlage


@dataclass(frozen=True)
class Stage:
    """A waiting state of the caseload: its share and how long ago (days) clones reached it."""

    key: str
    share: float
    min_age: int
    max_age: int
    groups: tuple[int, ...]


STAGES = (
    Stage("erstgespraech", 0.08, 0, 30, (1,)),  # new case, invited (Wiedervorlage day 10, due day 14)
    Stage("kooperationsplan", 0.05, 0, 12, (2, 3, 4, 5, 6)),  # plan to be agreed (due day 7)
    Stage("schritte_festlegen", 0.03, 0, 12, (4,)),  # unwilling client, steps set (fremdbestimmt)
    Stage("plan_timer", 0.30, 0, PLAN_TIMER_DAYS - 2, (2, 3, 4, 5, 6)),  # no task: waits for a step's date
    Stage("schritt_pruefen", 0.10, 0, 12, (2, 3, 4, 5, 6)),  # a step came due (due day 7)
    Stage("plan_ueberpruefen", 0.05, 0, 20, (2, 3, 4, 5, 6)),  # plan fulfilled, review (due day 14)
    Stage("beratungsgespraech", 0.39, 0, -1, (2, 3, 4, 5, 6)),  # 2nd cycle, next session (age by group)
)

# What a clone replaces in JSON text: task ids, dates and times, the template's names. Dates in German form
# (dd.mm.yyyy) are written text, e.g. the title of a produced letter ("Kooperationsplan vom 05.03.2025"), which
# is the letter's identity: moved like the plan's date, the clone has produced the letters its state yields.
TOKEN = re.compile(
    r"(?<![0-9A-Za-z-])("
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?)?"
    r"|\d{2}\.\d{2}\.\d{4}"
    rf"|{re.escape(TEMPLATE_PREFIX)}\d+|{re.escape(TEMPLATE_TEAM)}|{re.escape(TEMPLATE_ACTOR)}"
    r")(?![0-9A-Za-z-])"
)
GERMAN_DATE = "%d.%m.%Y"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CLONED = (Case, ProcessInstance, OpenTask, Wait, Event, CounsellingSession)


def shift_moment(moment: datetime, days: int) -> datetime:
    """Move by whole days on the Berlin wall clock (the engine's calendar arithmetic).

    `engine.runtime.durations.add_duration` does the same for whole days, through relativedelta at
    ten times the cost; cloning shifts millions of moments, so this keeps to timedelta.
    """
    return (moment.astimezone(BERLIN) + timedelta(days=days)).astimezone(moment.tzinfo or UTC)


def _shift_token(token: str, days: int) -> str:
    if "." in token:
        return (datetime.strptime(token, GERMAN_DATE).date() + timedelta(days=days)).strftime(GERMAN_DATE)
    if "T" not in token:
        return (date.fromisoformat(token) + timedelta(days=days)).isoformat()
    moment = datetime.fromisoformat(token.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        return (moment + timedelta(days=days)).isoformat()
    shifted = shift_moment(moment, days).isoformat()
    return shifted.replace("+00:00", "Z") if token.endswith("Z") else shifted


@dataclass
class SplitText:
    """A JSON text split at the tokens a clone replaces."""

    literals: list[str]
    tokens: list[str]

    @classmethod
    def of(cls, value: str) -> SplitText:
        parts = TOKEN.split(value)
        return cls(parts[0::2], parts[1::2])

    def render(self, mapping: Mapping[str, str]) -> str:
        out = [self.literals[0]]
        for token, literal in zip(self.tokens, self.literals[1:], strict=True):
            out.append(mapping[token])
            out.append(literal)
        return "".join(out)


@dataclass
class Rows:
    """The rows of one table belonging to a template, and how to shift them."""

    table: Table
    rows: list[dict[str, Any]]
    moments: list[str]  # UtcDateTime columns
    days: list[str]  # Date columns
    texts: dict[int, list[tuple[str, SplitText]]] = field(default_factory=dict)  # row -> (column, JSON text)


@dataclass
class Template:
    key: str  # stage and group, e.g. "beratungsgespraech/3"
    stage: Stage
    group: int
    case_id: int
    began: date  # Berlin day the waiting state began
    tables: dict[str, Rows] = field(default_factory=dict)
    uuids: list[str] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    _shifted: dict[int, dict[str, str]] = field(default_factory=dict)

    def token_map(self, days: int) -> dict[str, str]:
        found = self._shifted.get(days)
        if found is None:
            found = {token: _shift_token(token, days) for token in self.tokens
                     if token[:1].isdigit() and not UUID.fullmatch(token)}
            self._shifted[days] = found
        return found


def build_templates(services: Services, clock: SimulatedClock) -> list[Template]:
    """One real case per (stage, group), all driven in lockstep so the shared clock fires only what it should."""
    drive = Counsellor(services, TEMPLATE_ACTOR, TEMPLATE_TEAM)
    cases: dict[str, tuple[Stage, int, int]] = {}
    for stage in STAGES:
        for group in stage.groups:
            number = f"{TEMPLATE_PREFIX}{len(cases) + 1:02d}"
            cases[f"{stage.key}/{group}"] = (stage, group, drive.start(number, first_contact_in_days=INVITATION_DAYS))
    began: dict[str, date] = {key: drive.today for key in cases}

    def at(*stages: str) -> list[tuple[int, int]]:
        """(group, case id) of the templates of these stages."""
        return [(group, case_id) for stage, group, case_id in cases.values() if stage.key in stages]

    def first_session(case_id: int, group: int, result: str = "plan_vereinbart") -> None:
        answers, contact, days = GROUPS[group]
        drive.complete(case_id, counsellor.session(drive.today, first=True, answers=answers, contact=contact,
                                                   contact_in_days=days, result=result))

    def plan(case_id: int, steps: list[tuple[int, int | None]]) -> None:
        drive.complete(case_id, counsellor.plan(drive.today, steps))

    for group, case_id in at("kooperationsplan", "plan_timer", "schritt_pruefen", "plan_ueberpruefen",
                             "beratungsgespraech"):
        first_session(case_id, group)
    for group, case_id in at("schritte_festlegen"):
        first_session(case_id, group, result="beratungsunwillig")
    for _, case_id in at("plan_timer"):
        plan(case_id, [(PLAN_TIMER_DAYS + 14, PLAN_TIMER_DAYS), (70, None)])
    for _, case_id in at("schritt_pruefen"):
        plan(case_id, [(7, None), (30, None)])
    for _, case_id in at("plan_ueberpruefen", "beratungsgespraech"):
        plan(case_id, [(7, None)])
    clock.advance("P7D")  # the first step of these plans comes due; the plan_timer ones wait longer
    fired = services.fire_due_timers(limit=1000)
    due = at("schritt_pruefen", "plan_ueberpruefen", "beratungsgespraech")
    assert fired == len(due), f"{fired} timers fired, {len(due)} expected"
    began.update({key: drive.today for key, (stage, _, _) in cases.items()
                  if stage.key in ("schritt_pruefen", "plan_ueberpruefen", "beratungsgespraech")})
    for _, case_id in at("plan_ueberpruefen", "beratungsgespraech"):
        drive.complete(case_id, counsellor.step_check(1))
    for group, case_id in at("beratungsgespraech"):
        _, contact, days = GROUPS[group]
        drive.complete(case_id, counsellor.review(drive.today, contact=contact, contact_in_days=days))
    with services.engine.database.engine.connect() as connection:
        return [read_template(connection, key, stage, group, case_id, began[key])
                for key, (stage, group, case_id) in cases.items()]


def read_template(connection: Connection, key: str, stage: Stage, group: int, case_id: int,
                  began: date) -> Template:
    template = Template(key, stage, group, case_id, began)
    for model in CLONED:
        source = table(model)
        columns = [type_coerce(column, Text).label(column.name) if isinstance(column.type, Json) else column
                   for column in source.c]
        if model is Case:
            query = select(*columns).where(source.c.id == case_id)
        else:
            query = select(*columns).where(source.c.case_id == case_id)
        ordering = [source.c.id] if "id" in source.c else list(source.primary_key.columns)
        rows = [dict(row._mapping) for row in connection.execute(query.order_by(*ordering))]
        texts = [column.name for column in source.c if isinstance(column.type, Json) or column.name == "state"]
        entry = Rows(source, rows, [column.name for column in source.c if isinstance(column.type, UtcDateTime)],
                     [column.name for column in source.c if isinstance(column.type, Date)])
        for number, row in enumerate(rows):
            for name in texts:
                if row[name] is not None:
                    split = SplitText.of(row[name])
                    entry.texts.setdefault(number, []).append((name, split))
                    template.tokens.update(split.tokens)
        template.tables[source.name] = entry
    template.uuids = sorted(token for token in template.tokens if UUID.fullmatch(token))
    return template
