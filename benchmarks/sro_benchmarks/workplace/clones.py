"""Clones of the template cases: every row of one template copied with bulk Core INSERTs.

Why a clone is a valid case and not a look-alike:
- Same process version: `process_version_id` is the template's, so the clone is restored with the
  very spec its state was written against (the state holds the task tree only, never the spec).
- Fresh task ids: every SpiffWorkflow task id (UUID) in the state is replaced by a new random
  UUID, one mapping per clone applied to the state, the open task rows and
  the waits alike, so no two cases share a task id and every projected id is a task in its state.
- Projections consistent with the state: open tasks and waits are exactly what
  `ProcessEngine.waiting_for()` derives from the state, and the case columns are `case_columns()` of
  the data the running instance holds (as `Services._project_case` writes them after each step).
  The benchmark loads a sample of clones and checks both (`checks.py`); the integration test checks
  every clone and carries one on through `complete_task` and `fire_due_timers`.
- Dates spread by moving the whole case in time: a clone is its template shifted by whole days,
  every date and time in the state, the case data, the event data and every time column moved
  by the same number of days on the Berlin wall clock (the engine's calendar, so a Wiedervorlage
  at midnight in Berlin stays at midnight). A clone is thus the template's case having reached
  its waiting state `age` days before now: some tasks are overdue, some Wiedervorlagen lie ahead,
  and the timers of cases waiting in a plan all lie ahead, as a timer worker would have fired the
  others. (SpiffWorkflow's `last_state_change` stamps are the library's own wall-clock floats; they
  only order tasks within one workflow and are kept.)
- What is not in the state is set like the workplace sets it: team, counsellor, customer number,
  and for some tasks a claim (assignee plus the `aufgabe_uebernommen` event).
"""

from __future__ import annotations

import json
import math
import os
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Text, bindparam, func, insert, select, text

from engine.domain.case import Case
from engine.domain.counselling import CounsellingSession
from engine.domain.staff import StaffMember, hash_password
from engine.runtime.clock import berlin_date
from engine.runtime.store import Database, Event, Json, ProcessInstance, Wait, table
from sro_benchmarks.workplace.templates import (
    GROUP_SHARES,
    GROUPS,
    TEMPLATE_ACTOR,
    TEMPLATE_PREFIX,
    TEMPLATE_TEAM,
    Template,
    shift_moment,
)

TEAM_SIZE = 10
CHUNK = 5_000
PASSWORD = "bench-passwort-2025"  # noqa: S105  (the benchmark's own throw-away accounts)
CLONE_PREFIX = "WB-"


def customer_number(number: int) -> str:
    """The customer number of clone `number` (counted from 0)."""
    return f"{CLONE_PREFIX}{number + 1:07d}"


def _fresh_uuids(count: int) -> list[str]:
    """Random version-4 UUIDs (as `uuid.uuid4()`, from os.urandom), a few times faster in bulk."""
    digits = os.urandom(16 * count).hex()
    result = []
    for start in range(0, 32 * count, 32):
        h = digits[start:start + 32]
        result.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}")
    return result


@dataclass
class Plan:
    """Who gets which clone: the template per clone and the IFK per clone, both shuffled.

    Shuffled owners scatter a team's cases over the whole table, as years of intake from all
    teams would; consecutive ids per team would flatter the page cache.
    """

    templates: list[Template]
    assignment: list[int]  # clone number -> template index
    owners: list[int]  # clone number -> IFK index, `per_ifk` clones each (the last IFK may have fewer)
    per_ifk: int
    now: datetime
    seed: int

    @property
    def ifk_count(self) -> int:
        return math.ceil(len(self.assignment) / self.per_ifk)

    @staticmethod
    def username(ifk: int) -> str:
        return f"ifk-{ifk + 1:04d}"

    @staticmethod
    def team(ifk: int) -> str:
        return f"team-{ifk // TEAM_SIZE + 1:03d}"


def assign(templates: list[Template], cases: int, rng: random.Random) -> list[int]:
    """Clones per template by the stage and group shares (largest remainder), then shuffled."""
    weights = []
    for template in templates:
        share = 1.0 if len(template.stage.groups) == 1 else GROUP_SHARES[template.group]
        weights.append(template.stage.share * share)
    total = sum(weights)
    exact = [cases * weight / total for weight in weights]
    counts = [int(value) for value in exact]
    for index in sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)[:cases - sum(counts)]:
        counts[index] += 1
    assignment = [index for index, count in enumerate(counts) for _ in range(count)]
    rng.shuffle(assignment)
    return assignment


def _max_age(template: Template) -> int:
    if template.stage.max_age >= 0:
        return template.stage.max_age
    return GROUPS[template.group][2] + 14  # next session: its Wiedervorlage plus the 14 days it is due in


def _next_ids(connection: Connection) -> dict[str, int]:
    return {table(model).name: (connection.scalar(select(func.max(table(model).c.id))) or 0) + 1
            for model in (Case, ProcessInstance, Wait, Event, CounsellingSession)}


def clone_all(database: Database, plan: Plan) -> dict[str, int]:
    """Insert the clones, CHUNK cases per transaction. Returns the cases per stage."""
    rng = random.Random(plan.seed)  # noqa: S311  (benchmark data, not security)
    per_stage: dict[str, int] = {}
    now_day = berlin_date(plan.now)
    statements = {name: insert(entry.table).values(
        {column.key: bindparam(column.key, type_=Text()) for column in entry.table.c
         if isinstance(column.type, Json)})
        for name, entry in plan.templates[0].tables.items()}
    with database.engine.connect() as connection:
        next_id = _next_ids(connection)
    for begin in range(0, len(plan.assignment), CHUNK):
        batch: dict[str, list[dict[str, Any]]] = {name: [] for name in statements}
        for number in range(begin, min(begin + CHUNK, len(plan.assignment))):
            template = plan.templates[plan.assignment[number]]
            per_stage[template.stage.key] = per_stage.get(template.stage.key, 0) + 1
            ifk = plan.owners[number]
            age = rng.randint(template.stage.min_age, _max_age(template))
            _clone(template, batch, next_id, rng, number=number, ifk=ifk, plan=plan,
                   days=(now_day - template.began).days - age, claimable=age >= 1)
        with database.engine.begin() as connection:
            for name, statement in statements.items():  # in foreign-key order
                if batch[name]:
                    connection.execute(statement, batch[name])
    return per_stage


def _clone(template: Template, batch: dict[str, list[dict[str, Any]]], next_id: dict[str, int],
           rng: random.Random, *, number: int, ifk: int, plan: Plan, days: int, claimable: bool) -> None:
    counsellor, team = plan.username(ifk), plan.team(ifk)
    mapping = dict(zip(template.uuids, _fresh_uuids(len(template.uuids)), strict=True))
    mapping.update(template.token_map(days))
    customer = customer_number(number)
    mapping.update({TEMPLATE_TEAM: team, TEMPLATE_ACTOR: counsellor})
    mapping.update({token: customer for token in template.tokens if token.startswith(TEMPLATE_PREFIX)})
    case_id = next_id["cases"]
    next_id["cases"] += 1
    instances: dict[int, int] = {}
    claim: str | None = None
    if claimable:
        draw = rng.random()
        if draw < 0.12:
            claim = counsellor
        elif draw < 0.15:  # cover for a colleague of the team
            colleague = (ifk // TEAM_SIZE) * TEAM_SIZE + (ifk + 1 + rng.randrange(TEAM_SIZE - 1)) % TEAM_SIZE
            claim = plan.username(min(colleague, plan.ifk_count - 1))
    for name, entry in template.tables.items():
        own = batch[name]
        for index, row in enumerate(entry.rows):
            new = dict(row)
            for column in entry.moments:
                if new[column] is not None:
                    new[column] = shift_moment(new[column], days)
            for column in entry.days:
                if new[column] is not None:
                    new[column] = new[column] + timedelta(days=days)
            for column, value in entry.texts.get(index, ()):
                new[column] = value.render(mapping)
            _relink(name, new, row, case_id, instances, next_id, mapping, counsellor=counsellor, team=team,
                    customer=customer)
            if name == "open_tasks" and claim is not None:
                new["assignee"] = claim
                batch["events"].append({
                    "id": next_id["events"], "at": new["created_at"] + timedelta(hours=1), "actor": claim,
                    "case_id": new["case_id"], "instance_id": None, "kind": "aufgabe_uebernommen",
                    "element_id": new["element_id"],
                    "data": json.dumps({"aufgabe": new["name"]}, ensure_ascii=False, separators=(",", ":"))})
                next_id["events"] += 1
            own.append(new)


def _relink(name: str, new: dict[str, Any], row: dict[str, Any], case_id: int, instances: dict[int, int],
            next_id: dict[str, int], mapping: Mapping[str, str], *, counsellor: str, team: str,
            customer: str) -> None:
    """New keys for a cloned row and its references to the clone's other rows."""
    if name == "cases":
        new.update(id=case_id, customer_number=customer, team=team, counsellor=counsellor)
        return
    if name in next_id:
        new["id"] = next_id[name]
        next_id[name] += 1
    if name == "process_instances":
        instances[row["id"]] = new["id"]
    if name in ("process_instances", "open_tasks"):
        new["partition_key"] = team
    if "case_id" in new:
        new["case_id"] = case_id
    if new.get("instance_id") is not None:
        new["instance_id"] = instances[row["instance_id"]]
    if name == "open_tasks":
        new["id"] = mapping[row["id"]]
    if name == "waits":
        new["task_id"] = mapping[row["task_id"]]
    if name == "events" and row["actor"] == TEMPLATE_ACTOR:
        new["actor"] = counsellor
    if name == "counselling_sessions":
        new.update(counsellor=counsellor, team=team)


def add_staff(database: Database, ifk_count: int, now: datetime) -> None:
    """The IFK accounts, one argon2 hash shared by all (hashing 400 passwords would only cost time)."""
    password_hash = hash_password(PASSWORD)
    rows = [{"username": Plan.username(ifk), "display_name": f"IFK {ifk + 1:04d}", "role": "ifk",
             "team": Plan.team(ifk), "fte": 1.0, "password_hash": password_hash, "active": True, "created_at": now}
            for ifk in range(ifk_count)]
    with database.engine.begin() as connection:
        connection.execute(insert(table(StaffMember)), rows)


def fix_sequences(database: Database) -> None:
    """PostgreSQL: the clones were inserted with explicit ids; move the id sequences past them."""
    if database.dialect != "postgresql":
        return
    with database.engine.begin() as connection:
        for model in (Case, ProcessInstance, Wait, Event, CounsellingSession, StaffMember):
            name = table(model).name
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                                    f"(SELECT MAX(id) FROM {name}))"))
