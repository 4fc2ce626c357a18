"""The agenda of the cloned caseload: appointments, Wiedervorlagen and contacts in a realistic shape.

The clones copy what the engine keeps of a case (instance, tasks, waits, events, sessions); their agenda
rows are written here in bulk, shaped like a working counsellor's: about 20 appointments a week on the
45-minute grid from 08:00 to 16:00 on working days (Lower Saxony holidays left free), held or missed or
cancelled in the past, planned from now on (the current week full, later weeks thinning out), every
case with Wiedervorlagen (the older ones done, some overdue, the open ones due on various days) and a
few contacts. `shape` checks the result: the benchmark's figures come from this shape or the run fails.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from engine.domain.agenda import (
    BY_PHONE,
    CANCELLED,
    DAY_END,
    DAY_START,
    HELD,
    IN_PERSON,
    MISSED,
    PLANNED,
    SLOT_MINUTES,
    Appointment,
    Contact,
    FollowUp,
    day_slots,
)
from engine.domain.workdays import is_working_day, next_working_day
from engine.runtime.clock import BERLIN, berlin_date, week_start_of
from engine.runtime.store import Database, table
from sro_benchmarks.workplace.clones import CHUNK, Plan

WEEKS_BACK, WEEKS_AHEAD = 26, 8
PER_WEEK = 20  # sessions per full-time counsellor (concept: at least 20 per VZÄ)
# Share of the 20 booked in week k from now (k = 0: the current week, full).
BOOKED_AHEAD = (1.0, 0.7, 0.45, 0.3, 0.2, 0.15, 0.1, 0.1, 0.05)
PURPOSES = ("Beratungsgespräch", "Folgetermin", "Überprüfung des Kooperationsplans", "Erstgespräch")
REASONS = ("Nachweis Bewerbungen prüfen", "Schritt fällig: Deutschkurs", "Rückmeldung Ärztlicher Dienst",
           "Kontakt nach Kontaktdichte")
CONTACT_NOTES = {"email": "Bewerbungsnachweise per E-Mail erhalten", "brief": "Einladung verschickt",
                 "telefon": "Rückfrage zur Kinderbetreuung"}
FOLLOW_UPS_PER_CASE = 3  # over the half year: the older ones done
CONTACTS_PER_CASE = 1


def _week_days(monday: date) -> list[date]:
    return [day for day in (monday + timedelta(days=n) for n in range(5)) if is_working_day(day)]


def add_agenda(database: Database, plan: Plan, first_case: int, rng: random.Random) -> dict[str, int]:
    """Write the appointments, Wiedervorlagen and contacts of every clone's counsellor. Returns row counts."""
    now = plan.now
    this_monday = week_start_of(berlin_date(now))
    cases_of: dict[int, list[int]] = {}
    for number, owner in enumerate(plan.owners):
        cases_of.setdefault(owner, []).append(first_case + number)
    appointments: list[dict[str, Any]] = []
    for ifk, cases in sorted(cases_of.items()):
        counsellor, team = plan.username(ifk), plan.team(ifk)
        for week in range(-WEEKS_BACK, WEEKS_AHEAD + 1):
            monday = this_monday + timedelta(weeks=week)
            days = _week_days(monday)
            if not days:
                continue
            share = 1.0 if week <= 0 else BOOKED_AHEAD[min(week, len(BOOKED_AHEAD) - 1)]
            wanted = round(PER_WEEK * share * len(days) / 5 * rng.uniform(0.9, 1.1))
            grid = [slot.starts_at for day in days for slot in day_slots(day)]
            for starts in sorted(rng.sample(grid, min(wanted, len(grid)))):
                appointments.append(_appointment(rng, rng.choice(cases), counsellor, team, starts, now))
    follow_ups: list[dict[str, Any]] = []
    contacts: list[dict[str, Any]] = []
    today = berlin_date(now)
    for ifk, cases in sorted(cases_of.items()):
        counsellor, team = plan.username(ifk), plan.team(ifk)
        for case_id in cases:
            for _ in range(rng.randint(0, 2 * FOLLOW_UPS_PER_CASE)):
                due = next_working_day(today + timedelta(days=rng.randint(-180, 60)))
                done = due < today - timedelta(days=3) or (due <= today and rng.random() < 0.6)
                created = datetime.combine(due - timedelta(days=rng.randint(7, 60)), DAY_START, BERLIN)
                follow_ups.append({
                    "case_id": case_id, "owner": counsellor, "team": team, "due_on": due,
                    "reason": rng.choice(REASONS), "created_at": created, "created_by": counsellor,
                    "done_at": datetime.combine(due, DAY_START, BERLIN) + timedelta(hours=rng.randint(0, 7))
                    if done else None, "done_by": counsellor if done else None})
            for _ in range(rng.randint(0, 2 * CONTACTS_PER_CASE)):
                kind = rng.choice(sorted(CONTACT_NOTES))
                contacts.append({"case_id": case_id, "kind": kind, "note": CONTACT_NOTES[kind],
                                 "counsellor": counsellor,
                                 "at": now - timedelta(days=rng.randint(1, 180), minutes=rng.randint(0, 480))})
    for model, rows in ((Appointment, appointments), (FollowUp, follow_ups), (Contact, contacts)):
        for begin in range(0, len(rows), CHUNK * 4):
            with database.engine.begin() as connection:
                connection.execute(insert(table(model)), rows[begin:begin + CHUNK * 4])
    return {"appointments": len(appointments), "follow_ups": len(follow_ups), "contacts": len(contacts)}


def _appointment(rng: random.Random, case_id: int, counsellor: str, team: str, starts: datetime,
                 now: datetime) -> dict[str, Any]:
    status, cancelled_by = PLANNED, None
    if starts < now:
        draw = rng.random()
        status = HELD if draw < 0.85 else MISSED if draw < 0.92 else CANCELLED
        cancelled_by = (rng.choice(("elb", "jobcenter")) if status == CANCELLED else None)
    elif rng.random() < 0.04:
        status, cancelled_by = CANCELLED, "elb"
    created = starts - timedelta(days=rng.randint(7, 42))
    return {"case_id": case_id, "counsellor": counsellor, "team": team, "starts_at": starts,
            "minutes": SLOT_MINUTES, "kind": IN_PERSON if rng.random() < 0.7 else BY_PHONE,
            "purpose": rng.choice(PURPOSES), "with_rfb": rng.random() < 0.9, "status": status,
            "cancelled_by": cancelled_by, "session_id": None, "created_at": created, "created_by": counsellor,
            "updated_at": min(starts, now)}


def shape(database: Database, plan: Plan) -> dict[str, Any]:
    """What the agenda looks like in the current week, per counsellor, and whether it is realistic: planned
    and held appointments of the week around 20 per full-time counsellor, none on a weekend or holiday or
    outside 08:00-16:00, no slot booked twice; open Wiedervorlagen due on various days."""
    now = plan.now
    monday = week_start_of(berlin_date(now))
    begin = datetime.combine(monday, DAY_START, BERLIN)
    end = begin + timedelta(days=7)
    with database.engine.connect() as connection:
        rows = connection.execute(select(Appointment.counsellor, Appointment.starts_at, Appointment.minutes,
                                         Appointment.status)
                                  .where(Appointment.starts_at >= begin, Appointment.starts_at < end)).all()
        open_due = Counter(connection.execute(
            select(FollowUp.due_on).where(FollowUp.done_at.is_(None), FollowUp.due_on >= monday,
                                          FollowUp.due_on < monday + timedelta(days=7))).scalars())
        totals = {table(model).name: connection.scalar(select(func.count()).select_from(table(model))) or 0
                  for model in (Appointment, FollowUp, Contact)}
    week: dict[str, Counter[str]] = {}
    problems: list[str] = []
    taken: set[tuple[str, datetime]] = set()
    for row in rows:
        week.setdefault(row.counsellor, Counter())[row.status] += 1
        local = row.starts_at.astimezone(BERLIN)
        if not is_working_day(local.date()) or local.time() < DAY_START or (
                local + timedelta(minutes=row.minutes)).time() > DAY_END:
            problems.append(f"{row.counsellor}: Termin am {local:%d.%m.%Y %H:%M} außerhalb der Arbeitszeit")
        if row.status in (PLANNED, HELD):
            if (row.counsellor, row.starts_at) in taken:
                problems.append(f"{row.counsellor}: {local:%d.%m.%Y %H:%M} doppelt belegt")
            taken.add((row.counsellor, row.starts_at))
    sessions = sorted(counts[PLANNED] + counts[HELD] for counts in week.values())
    expected = PER_WEEK * len(_week_days(monday)) / 5
    if not sessions or sessions[0] < 0.7 * expected or sessions[-1] > 1.3 * expected:
        problems.append(f"Termine der Woche je IFK {sessions[:1]}…{sessions[-1:]}, erwartet etwa {expected:.0f}")
    if len(open_due) < 3:
        problems.append("offene Wiedervorlagen an weniger als drei Tagen der Woche fällig")
    return {"rows": totals, "week_of": monday.isoformat(), "counsellors": len(week),
            "week_planned_or_held_per_ifk": {"min": sessions[0] if sessions else 0,
                                             "max": sessions[-1] if sessions else 0,
                                             "mean": round(sum(sessions) / len(sessions), 1) if sessions else 0},
            "week_status": dict(sum(week.values(), Counter())),
            "open_follow_ups_due_this_week_by_day": {day.isoformat(): n for day, n in sorted(open_due.items())},
            "problems": problems[:20], "realistic": not problems}
