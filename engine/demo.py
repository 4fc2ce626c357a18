"""The demo caseload: three teams, a dozen IFK and over a thousand pseudonymous cases with history.

Every case is driven through the real service functions (start_case, complete_task, deliver_message,
fire_due_timers) on a simulated clock that starts about nine months before today and runs up to now,
the way counsellors would work the cases: sessions on the agreed dates, plans with dated steps, checks,
talks about reasons, reviews, exceptions with a six-month report, missed appointments, demands and
hearings. Nothing is written around the engine, so every case has a genuine event log and its state is
what the diagrams make of it. A seeded random generator keeps the caseload reproducible.

All data are invented: customer numbers are pseudonyms, clients have no names at all, and the staff
names are made up. The demo passwords are printed for everyone to read: for demonstrations only.
"""

from __future__ import annotations

import heapq
import itertools
import random
import time as timer
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import CompoundSelect, bindparam, func, literal, null, select, union_all

from engine.domain.actions import deadline_end
from engine.domain.case import Case
from engine.domain.counselling import CounsellingSession
from engine.domain.staff import ROLES, StaffMember
from engine.runtime.clock import BERLIN, SimulatedClock
from engine.runtime.store import Database, OpenTask, Wait
from engine.services import Services

# ---------------------------------------------------------------------------------------------- accounts

TEAMS: dict[str, str] = {"nord": "Team Nord", "sued": "Team Süd", "mitte": "Team Mitte"}
# The three-digit prefix of the pseudonymous customer numbers, per team (no real agency uses 9xx).
_OFFICES = {"nord": "901", "sued": "902", "mitte": "903"}
DEFAULT_CASES = 1200
DEFAULT_SEED = 20251124
PASSWORD_PREFIX = "demo-"  # noqa: S105  (printed demo sign-ins, never for real use)


@dataclass(frozen=True)
class Account:
    """A demo sign-in. The password is derived from the user name and printed: demo use only."""

    username: str
    display_name: str
    role: str
    team: str | None = None
    fte: float = 1.0

    @property
    def password(self) -> str:
        return f"{PASSWORD_PREFIX}{self.username}"


ACCOUNTS: tuple[Account, ...] = (
    Account("j.albers", "Jana Albers", "ifk", "nord"),
    Account("t.brandt", "Tobias Brandt", "ifk", "nord"),
    Account("m.claassen", "Miriam Claaßen", "ifk", "nord", 0.75),
    Account("d.yildirim", "Deniz Yıldırım", "ifk", "nord"),
    Account("s.dreyer", "Sabine Dreyer", "teamleitung", "nord"),
    Account("l.engel", "Lukas Engel", "ifk", "sued"),
    Account("k.fuchs", "Katharina Fuchs", "ifk", "sued"),
    Account("o.gerdes", "Ole Gerdes", "ifk", "sued", 0.5),
    Account("a.hoffmann", "Aylin Hoffmann", "ifk", "sued"),
    Account("m.iske", "Matthias Iske", "teamleitung", "sued"),
    Account("n.jansen", "Nina Jansen", "ifk", "mitte"),
    Account("f.kuehn", "Felix Kühn", "ifk", "mitte"),
    Account("s.lange", "Svenja Lange", "ifk", "mitte", 0.75),
    Account("p.maier", "Piotr Maier", "ifk", "mitte"),
    Account("h.neumann", "Heike Neumann", "teamleitung", "mitte"),
    Account("c.otte", "Carsten Otte", "prozessverantwortung"),
    Account("u.peters", "Ulrike Peters", "qa"),
    Account("r.quast", "Rainer Quast", "admin"),
)
COUNSELLORS: dict[str, list[Account]] = {
    team: [account for account in ACCOUNTS if account.role == "ifk" and account.team == team] for team in TEAMS}


def sign_ins() -> list[tuple[str, str, str, str]]:
    """The demo sign-ins as rows: Benutzer, Passwort, Rolle, Team."""
    return [(account.username, account.password, ROLES[account.role].label, TEAMS.get(account.team or "", "–"))
            for account in ACCOUNTS]


def sign_in_table() -> str:
    """The sign-ins as a plain-text table, with the warning that they are for demonstrations only."""
    header = ("Benutzer", "Passwort", "Rolle", "Team")
    rows = [header, *sign_ins()]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(["Demo-Anmeldungen (nur für Vorführungen; nie in einem echten Jobcenter verwenden):",
                      *lines])


# ---------------------------------------------------------------------------------------------- profiles


@dataclass(frozen=True)
class Profile:
    """How a (made-up) client tends to respond: what sessions end in, how reliably steps get done."""

    name: str
    weight: int
    first: tuple[tuple[str, int], ...]  # ergebnis of the first session, with weights
    later: tuple[tuple[str, int], ...]  # ergebnis of later sessions
    cooperative: float  # probability of kooperationsbereit
    laufzeiten: tuple[str, ...]
    interval: int  # days to the next contact (the contact density the process owners set)
    reliability: float  # probability a step is done by its date
    no_show: float  # probability of missing an appointment
    near: bool = False  # integrationsnah
    reduced_capacity: bool = False  # erwerbsminderungPruefung
    no_prospect: bool = False  # ohneVeraenderungsperspektive
    exception: bool = False  # mostly "only a report after six months"


PROFILES: tuple[Profile, ...] = (
    Profile("integrationsnah", 16, (("plan_vereinbart", 95), ("kein_plan", 5)), (("plan_vereinbart", 1),),
            1.0, ("P3M",), 14, 0.9, 0.04, near=True),
    Profile("standard", 34, (("plan_vereinbart", 86), ("kein_plan", 6), ("beratungsunfaehig", 4),
                             ("beratungsunwillig", 4)), (("plan_vereinbart", 95), ("kein_plan", 5)),
            0.95, ("P3M", "P6M"), 28, 0.85, 0.07),
    Profile("schwierig", 14, (("plan_vereinbart", 50), ("kein_plan", 20), ("beratungsunwillig", 25),
                              ("beratungsunfaehig", 5)),
            (("plan_vereinbart", 70), ("kein_plan", 10), ("beratungsunwillig", 20)),
            0.15, ("P3M",), 42, 0.55, 0.2),
    Profile("erwerbsminderung", 11, (("plan_vereinbart", 90), ("beratungsunfaehig", 10)), (("plan_vereinbart", 1),),
            0.9, ("P6M",), 90, 0.8, 0.05, reduced_capacity=True),
    Profile("ohne Perspektive", 9, (("plan_vereinbart", 1),), (("plan_vereinbart", 1),),
            0.9, ("P6M",), 180, 0.8, 0.05, no_prospect=True),
    Profile("Ausnahme", 12, (("ausnahme_rueckmeldung", 1),), (("ausnahme_rueckmeldung", 70), ("plan_vereinbart", 30)),
            1.0, ("P6M",), 180, 0.8, 0.03, exception=True),
)

# Invented, generic texts; no client is named and nothing identifies anyone.
_SITUATIONS = (
    "Langzeitleistungsbezug, zuletzt Helfertätigkeit in der Logistik",
    "Ausbildung im Verkauf abgeschlossen, seit zwei Jahren ohne Beschäftigung",
    "Zugewandert, Berufserfahrung im Baugewerbe, Deutschkenntnisse A2",
    "Gesundheitliche Einschränkungen (Rücken), zuletzt in der Gebäudereinigung",
    "Studium abgebrochen, Nebentätigkeiten in der Gastronomie",
    "Alleinerziehend, Teilzeitwunsch, Erfahrung in der Altenpflege",
    "Rückkehr nach längerer Familienphase, kaufmännische Ausbildung",
    "Schulabschluss ohne Ausbildung, bisher kurze Beschäftigungen",
)
_POTENTIALS = (
    "Hohe Motivation, Führerschein Klasse B vorhanden",
    "Interesse an Weiterbildung, digitale Grundkenntnisse",
    "Will wieder im erlernten Beruf arbeiten",
    "Zuverlässig, handwerklich geschickt",
    "Spricht drei Sprachen, sucht Arbeit mit Kundenkontakt",
    "Unsicher über die Richtung, offen für ein Praktikum",
)
_NOTES = (
    "Bewerbungsaktivitäten besprochen", "Stand der Schritte besprochen", "Gesundheitliche Situation besprochen",
    "Vermittlungsvorschläge übergeben", "Weiterbildungsinteresse geklärt", "Kinderbetreuung weiterhin offen",
    "Lebenslauf gemeinsam überarbeitet", "Termin beim Ärztlichen Dienst besprochen",
)
_GOALS = (
    "Sozialversicherungspflichtige Beschäftigung im Lager", "Arbeitsaufnahme im Verkauf",
    "Einstieg in die Pflegehilfe", "Deutschkurs B1 abschließen", "Teilzeitbeschäftigung in der Gastronomie",
    "Umschulung zur Fachkraft für Lagerlogistik beginnen", "Wohnsituation stabilisieren, danach Arbeitsaufnahme",
    "Führerschein Klasse B als Voraussetzung für die Arbeitsaufnahme",
)
_STEPS = (
    "Zwei Bewerbungen pro Woche schreiben und Nachweise mitbringen",
    "Lebenslauf mit dem Bewerbungscoaching überarbeiten",
    "Termin beim Berufspsychologischen Service wahrnehmen", "Zum Deutschkurs anmelden",
    "Vorstellungsgespräch beim vorgeschlagenen Arbeitgeber wahrnehmen",
    "Unterlagen für den Bildungsgutschein einreichen",
    "Kita-Platz beantragen", "Termin bei der Schuldnerberatung vereinbaren", "Zweiwöchiges Praktikum absolvieren",
    "Befundberichte für den Ärztlichen Dienst einreichen",
)
_REVIEWS = (
    "Schritte überwiegend umgesetzt; Plan wird fortgeschrieben", "Ziel teilweise erreicht, neue Schritte folgen",
    "Wenig Fortschritt; Unterstützungsbedarf neu besprochen", "Arbeitsaufnahme in Aussicht",
    "Weiterbildung begonnen, Plan angepasst",
)
_REASONS = ("Krankheit (Attest liegt vor)", "Kinderbetreuung ausgefallen", "Schritt war zu umfangreich",
            "Keine Angabe", "Termin vergessen")
_REPORTS = ("Situation unverändert, Betreuung der Kinder weiterhin nötig", "Beschäftigung läuft stabil",
            "Gesundheitliche Lage hat sich gebessert", "Pflege von Angehörigen dauert an")
_GROUNDS = ("Attest vorgelegt", "Kein wichtiger Grund dargelegt", "Kind erkrankt (Bescheinigung liegt vor)",
            "Verkehrsstreik am Termintag")
_PROOFS = ("Kopien der Bewerbungen", "Teilnahmebestätigung", "Bestätigung des Arbeitgebers")

SESSION_TASKS = frozenset({"Task_Erstgespraech", "Task_Beratungsgespraech"})
# What one case waits for, in one statement: its open tasks and its waits (timers, messages).
_WAITING: CompoundSelect[Any] = union_all(
    select(literal("task").label("kind"), OpenTask.id.label("task_id"), OpenTask.element_id,
           OpenTask.element_id.label("name"), OpenTask.created_at.label("at"), OpenTask.follow_up_at)
    .where(OpenTask.case_id == bindparam("case_id")),
    select(Wait.kind, Wait.task_id, Wait.element_id, Wait.name, Wait.due_at.label("at"), null())
    .where(Wait.case_id == bindparam("case_id")))
WORK_START, WORK_END = time(7, 30), time(16, 30)


def _weighted(rng: random.Random, choices: Sequence[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in choices], [weight for _, weight in choices])[0]


def workday(day: date) -> date:
    """The day itself, or the next working day in Lower Saxony (weekends and public holidays are off)."""
    return deadline_end(day)


def berlin_day(moment: datetime) -> date:
    return moment.astimezone(BERLIN).date()


# ---------------------------------------------------------------------------------------------- simulation


@dataclass
class _Fall:
    """One demo case as the simulation sees it; what the engine holds is read from the database."""

    index: int
    number: str
    team: str
    counsellor: str
    profile: Profile
    rng: random.Random
    start_at: datetime
    first_session: date
    exception: str = "keine"
    case_id: int | None = None
    generation: int = 0
    planned: dict[str, tuple[datetime, str]] = field(default_factory=dict)  # task id -> when, what
    messages: dict[str, datetime | None] = field(default_factory=dict)  # waiting event's task id -> delivery
    steps: dict[int, date] = field(default_factory=dict)  # open plan steps: number -> check date
    checked_step: int | None = None
    demand_basis: str = "par15abs6"
    missed_on: date | None = None
    stopped: bool = False


@dataclass
class DemoReport:
    """What `seed` did, and the caseload as it stands afterwards."""

    accounts_created: int = 0
    cases_created: int = 0
    commands: int = 0
    timers_fired: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    overview: Overview | None = None


@dataclass
class Overview:
    """Counts that show the caseload is alive: per phase, priority group and team, and this week's work."""

    cases: int
    phases: dict[str, int]
    groups: dict[int | None, int]
    teams: dict[str, int]
    modes: dict[str | None, int]
    open_task_kinds: dict[str, int]
    sessions_this_week: int
    overdue_tasks: int
    future_follow_ups: int
    cases_with_reductions: int
    due_timers: int

    def lines(self) -> list[str]:
        def join(items: Mapping[Any, int]) -> str:
            return ", ".join(f"{key}: {value}" for key, value in items.items())

        lines = [f"Fälle: {self.cases} ({join({TEAMS.get(team, team): n for team, n in self.teams.items()})})",
                 "Prioritätsgruppen: " + join({f"PG {group}" if group else "ohne": n
                                                for group, n in sorted(self.groups.items(),
                                                                       key=lambda item: item[0] or 0)}),
                 "Modus: " + join({mode or "–": n for mode, n in self.modes.items()}),
                 f"Gespräche diese Woche: {self.sessions_this_week}; überfällige Aufgaben: {self.overdue_tasks}; "
                 f"Wiedervorlagen in der Zukunft: {self.future_follow_ups}; Fälle mit Minderung: "
                 f"{self.cases_with_reductions}; fällige Zeitereignisse: {self.due_timers}",
                 "Phasen:"]
        width = max((len(label) for label in self.phases), default=0)
        lines.extend(f"  {label.ljust(width)}  {count:5d}" for label, count in self.phases.items())
        return lines


# What a case waits for, in words; tasks and events of every diagram.
PHASES: dict[str, str] = {
    "Task_Erstgespraech": "Anfangsphase: Erstgespräch",
    "Task_Beratungsgespraech": "Beratungsgespräch",
    "Task_Kooperationsplan": "Kooperationsplan vereinbaren",
    "Event_SchrittFaellig": "Kooperationsplan läuft: Schritte warten",
    "Task_SchrittPruefen": "Schritt prüfen",
    "Task_GruendeBesprechen": "Gründe besprechen",
    "Event_Ueberpruefung": "Kooperationsplan läuft: Schritte warten",
    "Task_PlanUeberpruefen": "Kooperationsplan überprüfen",
    "Event_Rueckmeldung": "Ausnahme: Rückmeldung nach sechs Monaten abwarten",
    "Task_RueckmeldungAuswerten": "Ausnahme: Rückmeldung auswerten",
    "Task_SchritteFestlegen": "Fremdbestimmt: Schritte festlegen",
    "Task_SchlichtungAnbieten": "Schlichtung anbieten",
    "Event_SlBeendet": "Schlichtung läuft",
    "Event_SlFrist": "Schlichtung läuft",
    "Task_SlErgebnis": "Schlichtung: Ergebnis erfassen",
    "Task_MvPruefen": "Meldeversäumnis prüfen",
    "Task_MvBescheid": "Meldeversäumnis: Minderung feststellen",
    "Task_MvUnerreichbar": "Meldeversäumnis: Nichterreichbarkeit",
    "Task_MvEinladen": "Meldeversäumnis: erneut einladen",
    "Task_AfErstellen": "Aufforderung erstellen",
    "Event_NachweisEingegangen": "Aufforderung: Frist läuft",
    "Event_AfFrist": "Aufforderung: Frist läuft",
    "Task_NachweisPruefen": "Aufforderung: Nachweis prüfen",
    "Task_AnhoerungEinleiten": "Anhörung einleiten",
    "Event_Stellungnahme": "Anhörung läuft",
    "Event_AnhoerungFrist": "Anhörung läuft",
    "Task_GrundPruefen": "Anhörung: wichtigen Grund prüfen",
    "Task_AfBescheid": "Aufforderung: Minderung feststellen",
}
_BOUNDARY_MESSAGES = frozenset({"Event_ErstterminVersaeumt", "Event_TerminVersaeumt"})


class _Simulation:
    """Drives the cases in time order: each case has one pending look (a heap entry) at a time."""

    def __init__(self, services: Services, clock: SimulatedClock, end: datetime, report: DemoReport,
                 progress: Callable[[str], None] | None) -> None:
        self.services, self.clock, self.end, self.report, self.progress = services, clock, end, report, progress
        self.database = services.engine.database
        self.heap: list[tuple[datetime, int, int, int]] = []
        self.order = itertools.count()
        self.cases: list[_Fall] = []
        self.end_day = berlin_day(end)
        self.squeeze = self._squeeze_window()

    # ------------------------------------------------------------------ time

    def _squeeze_window(self) -> tuple[datetime, datetime] | None:
        """Seeding early on the first working day of a week would leave the week without sessions;
        then that morning's work happens in the hours before now."""
        local = self.end.astimezone(BERLIN)
        monday = local.date() - timedelta(days=local.weekday())
        earlier_workdays = [monday + timedelta(days=n) for n in range(local.weekday())
                            if workday(monday + timedelta(days=n)) == monday + timedelta(days=n)]
        if earlier_workdays or workday(local.date()) != local.date() or local.time() >= time(10, 30):
            return None
        midnight = datetime.combine(local.date(), time(0, 0), BERLIN)
        return max(midnight, local - timedelta(hours=3)), local - timedelta(minutes=1)

    def at(self, rng: random.Random, day: date) -> datetime:
        """A moment in working hours on that working day, never before the clock."""
        day = workday(day)
        start = datetime.combine(day, WORK_START, BERLIN)
        stop = datetime.combine(day, WORK_END, BERLIN)
        if day == self.end_day and self.squeeze is not None:
            start, stop = self.squeeze
        moment = (start + (stop - start) * rng.random()).astimezone(UTC).replace(microsecond=0)
        return max(moment, self.clock.now() + timedelta(minutes=1))

    @property
    def today(self) -> date:
        return berlin_day(self.clock.now())

    def schedule(self, fall: _Fall, when: datetime) -> None:
        fall.generation += 1
        if when <= self.end:
            heapq.heappush(self.heap, (when, next(self.order), fall.index, fall.generation))

    # ------------------------------------------------------------------ main loop

    def run(self) -> None:
        total = self.end - self.clock.now()
        marks = [self.clock.now() + total * share for share in (0.25, 0.5, 0.75)]
        for fall in self.cases:
            self.schedule(fall, fall.start_at)
        while self.heap:
            when, _, index, generation = heapq.heappop(self.heap)
            fall = self.cases[index]
            if generation != fall.generation or fall.stopped:
                continue
            if when > self.clock.now():
                self.clock.set(when)
            while marks and self.clock.now() >= marks[0]:
                marks.pop(0)
                self._progress()
            try:
                if fall.case_id is None:
                    self.start(fall)
                self.look(fall)
            except Exception as error:  # one odd case must not cost the whole demo; it is reported
                fall.stopped = True
                self.report.problems.append(f"{fall.number}: {type(error).__name__}: {error}")
        if self.clock.now() < self.end:
            self.clock.set(self.end)
        self.fire()

    def _progress(self) -> None:
        if self.progress is not None:
            self.progress(f"  … {self.today:%d.%m.%Y}: {self.report.cases_created} Fälle, "
                          f"{self.report.commands} Schritte, {self.report.timers_fired} Zeitereignisse")

    def fire(self) -> None:
        while True:
            fired = self.services.fire_due_timers(limit=500)
            self.report.timers_fired += fired
            self.report.commands += fired
            if fired < 500:
                return

    def start(self, fall: _Fall) -> None:
        outcome = self.services.start_case(fall.number, fall.team, counsellor=fall.counsellor,
                                           data={"naechsterKontaktAm": fall.first_session}, actor=fall.counsellor)
        fall.case_id = outcome.case_id
        self.report.cases_created += 1
        self.report.commands += 1

    # ------------------------------------------------------------------ one case

    def look(self, fall: _Fall) -> None:
        """Do what is due in this case now, then plan its next look."""
        assert fall.case_id is not None
        for _ in range(40):
            now = self.clock.now()
            with self.database.engine.connect() as connection:
                rows = connection.execute(_WAITING, {"case_id": fall.case_id}).all()
            tasks = sorted((row for row in rows if row.kind == "task"), key=lambda row: (row.at, row.element_id))
            waits = sorted((row for row in rows if row.kind != "task"), key=lambda row: (row.element_id, row.name))
            timers = [wait.at for wait in waits if wait.kind == "timer" and wait.at is not None]
            if timers and min(timers) <= now:
                self.fire()
                continue
            next_timer = min(timers) if timers else None
            if tasks:
                task = tasks[0]
                plan = fall.planned.get(task.task_id)
                if plan is None:
                    plan = self.plan_task(fall, task.element_id, task.at, task.follow_up_at)
                    if plan is None:
                        return  # a task the demo has no answers for stays open
                    fall.planned[task.task_id] = plan
                when, what = plan
                if when <= now:
                    fall.planned.pop(task.task_id, None)
                    self.act(fall, task.task_id, task.element_id, what)
                    continue
                self.schedule(fall, min(when, next_timer) if next_timer else when)
                return
            delivery = self.plan_messages(fall, waits, next_timer)
            if delivery is not None and delivery[0] <= now:
                _, wait_task, name = delivery
                fall.messages[wait_task] = None
                self.services.deliver_message(fall.case_id, name, {}, actor=fall.counsellor)
                self.report.commands += 1
                continue
            candidates = [moment for moment in (delivery[0] if delivery else None, next_timer) if moment]
            if candidates:
                self.schedule(fall, min(candidates))
            return
        raise RuntimeError("Der Fall kam nicht zur Ruhe (zu viele Schritte auf einmal).")

    def plan_messages(self, fall: _Fall, waits: Sequence[Any],
                      next_timer: datetime | None) -> tuple[datetime, str, str] | None:
        """Proofs, statements and the end of conciliation arrive (or not) before the deadline runs out."""
        chances = {"NachweisEingegangen": 0.35 + 0.4 * fall.profile.reliability, "StellungnahmeEingegangen": 0.5,
                   "SchlichtungBeendet": 0.6}
        for wait in waits:
            if wait.kind != "message" or wait.name not in chances:
                continue
            if wait.task_id not in fall.messages:
                when: datetime | None = None
                latest = next_timer or self.clock.now() + timedelta(days=28)
                days = (berlin_day(latest) - self.today).days - 2
                if days >= 1 and fall.rng.random() < chances[wait.name]:
                    when = self.at(fall.rng, self.today + timedelta(days=fall.rng.randint(1, days)))
                fall.messages[wait.task_id] = when
            planned = fall.messages[wait.task_id]
            if planned is not None:
                return planned, wait.task_id, wait.name
        return None

    def plan_task(self, fall: _Fall, element: str, created: datetime,
                  follow_up: datetime | None) -> tuple[datetime, str] | None:
        """When the counsellor works this task, and whether the client turns up (for sessions)."""
        rng, now = fall.rng, self.clock.now()
        created_day = berlin_day(created)

        def after(low: int, high: int) -> datetime:
            return self.at(rng, created_day + timedelta(days=rng.randint(low, high)))

        def late(usual: tuple[int, int], late_share: float = 0.08) -> datetime:
            return after(8, 16) if rng.random() < late_share else after(*usual)

        if element in SESSION_TASKS:
            day = berlin_day(follow_up) if follow_up else created_day  # the Wiedervorlage: midnight in Berlin
            if day < created_day:  # the agreed date has passed (e.g. a new cycle after a demand): invite anew
                day = created_day + timedelta(days=rng.randint(7, 14))
            if rng.random() < 0.06:
                day += timedelta(days=rng.randint(1, 6))  # moved by a few days
            when = self.at(rng, day)
            return when, "no_show" if rng.random() < fall.profile.no_show else "complete"
        soon = now + timedelta(minutes=rng.randint(15, 45))
        # Usually done in the same conversation, sometimes a few days later.
        later = {"Task_Kooperationsplan": 0.15, "Task_SchritteFestlegen": 0.35, "Task_MvEinladen": 0.4}
        if element in later:
            return (after(1, 5) if rng.random() < later[element] else soon), "complete"
        spans: dict[str, tuple[int, int]] = {
            "Task_SchrittPruefen": (0, 4), "Task_GruendeBesprechen": (2, 9), "Task_PlanUeberpruefen": (0, 6),
            "Task_RueckmeldungAuswerten": (3, 20), "Task_SchlichtungAnbieten": (0, 3), "Task_SlErgebnis": (0, 3),
            "Task_MvPruefen": (1, 3), "Task_MvBescheid": (1, 4), "Task_MvUnerreichbar": (1, 3),
            "Task_AfErstellen": (0, 3), "Task_NachweisPruefen": (0, 3), "Task_AnhoerungEinleiten": (0, 3),
            "Task_GrundPruefen": (1, 5), "Task_AfBescheid": (1, 5)}
        if element not in spans:
            self.report.problems.append(f"{fall.number}: keine Demo-Antworten für die Aufgabe {element}")
            return None
        return late(spans[element]), "complete"

    def act(self, fall: _Fall, task_id: str, element: str, what: str) -> None:
        assert fall.case_id is not None
        if what == "no_show":
            fall.missed_on = self.today
            self.services.deliver_message(fall.case_id, "Meldeversaeumnis", {}, actor=fall.counsellor)
        else:
            form = self.answers(fall, element, task_id)
            self.services.complete_task(task_id, form, actor=fall.counsellor)
            self.after(fall, element, form)
        self.report.commands += 1

    # ------------------------------------------------------------------ answers

    def next_contact(self, fall: _Fall, share: tuple[float, float] = (0.8, 1.2)) -> str:
        days = max(7, round(fall.profile.interval * fall.rng.uniform(*share)))
        return workday(self.today + timedelta(days=days)).isoformat()

    def in_days(self, fall: _Fall, low: int, high: int) -> str:
        return workday(self.today + timedelta(days=fall.rng.randint(low, high))).isoformat()

    def answers(self, fall: _Fall, element: str, task_id: str) -> dict[str, Any]:
        rng, profile = fall.rng, fall.profile
        if element in SESSION_TASKS:
            first = element == "Task_Erstgespraech"
            outcome = _weighted(rng, profile.first if first else profile.later)
            in_person = first or rng.random() < (0.5 if profile.interval >= 90 else 0.7)
            form: dict[str, Any] = {
                "gespraechsart": "praesenz" if in_person else "telefon", "ergebnis": outcome,
                "kooperationsbereit": outcome not in {"beratungsunwillig", "kein_plan"}
                and rng.random() < profile.cooperative,
                "integrationsnah": profile.near, "erwerbsminderungPruefung": profile.reduced_capacity,
                "ohneVeraenderungsperspektive": profile.no_prospect,
                "ausnahme": fall.exception if outcome == "ausnahme_rueckmeldung" else "keine",
                "naechsterKontakt": rng.choice(("folgetermin_praesenz", "folgetermin_telefon", "wiedervorlage")),
                "naechsterKontaktAm": self.next_contact(fall), "notiz": rng.choice(_NOTES)}
            if first:
                form.update(ausgangssituation=rng.choice(_SITUATIONS), potenzialanalyse=rng.choice(_POTENTIALS))
            return form
        if element == "Task_Kooperationsplan":
            return self.plan_form(fall)
        if element == "Task_SchrittPruefen":
            if not fall.steps:  # the plan came from elsewhere; read the steps the instance holds
                fall.steps = _open_steps(self.services.task_form(task_id)[2].get("schritte"))
            number = min(fall.steps, key=lambda nr: (fall.steps[nr], nr))
            fall.checked_step = number
            return {"schrittNr": number, "schrittErledigt": rng.random() < profile.reliability,
                    "notiz": rng.choice(_NOTES)}
        if element == "Task_GruendeBesprechen":
            demands = 35 if profile.reliability < 0.6 else 10
            decision = _weighted(rng, (("weiterer_versuch", 55), ("anpassen", 35), ("aufforderung", demands)))
            return {"gruende": rng.choice(_REASONS), "schrittEntscheidung": decision,
                    "neueFrist": None if decision == "aufforderung" else self.in_days(fall, 14, 28),
                    "schrittBeschreibung": rng.choice(_STEPS) if decision == "anpassen" else None}
        if element == "Task_PlanUeberpruefen":
            return {"ueberpruefung": rng.choice(_REVIEWS),
                    "gespraechsart": "praesenz" if rng.random() < 0.7 else "telefon",
                    "naechsterKontakt": rng.choice(("folgetermin_praesenz", "folgetermin_telefon", "wiedervorlage")),
                    "naechsterKontaktAm": self.next_contact(fall, (0.4, 0.8))}
        if element == "Task_RueckmeldungAuswerten":
            decision = "plan_aktualisieren" if rng.random() < 0.3 else "einladen"
            return {"rueckmeldung": rng.choice(_REPORTS), "rueckmeldungEntscheidung": decision,
                    "naechsterKontaktAm": self.in_days(fall, 14, 28)}
        if element == "Task_SchritteFestlegen":
            agreed = rng.random() < (0.6 if profile.cooperative >= 0.5 else 0.3)
            return {"schrittBeschreibung": rng.choice(_STEPS), "schrittFaellig": self.in_days(fall, 14, 28),
                    "planDochVereinbart": agreed}
        if element == "Task_SchlichtungAnbieten":
            return {"schlichtungGewuenscht": rng.random() < 0.65}
        if element == "Task_SlErgebnis":
            return {"einigung": rng.random() < 0.55}
        if element == "Task_MvPruefen":
            good_reason = rng.random() < 0.2
            return {"terminAm": (fall.missed_on or self.today).isoformat(), "einladungMitRfb": rng.random() < 0.92,
                    "wichtigerGrund": good_reason, "grundBeschreibung": rng.choice(_GROUNDS) if good_reason else None,
                    "haerte": rng.random() < 0.03}
        if element in {"Task_MvBescheid", "Task_AfBescheid"}:
            return {"bescheidAm": self.today.isoformat()}
        if element == "Task_MvUnerreichbar":
            return {"feststellungAm": self.today.isoformat()}
        if element == "Task_MvEinladen":
            return {"naechsterKontaktAm": self.in_days(fall, 7, 14), "einladungMitRfb": True}
        if element == "Task_AfErstellen":
            basis, fall.demand_basis = fall.demand_basis, "par15abs6"
            return {"rechtsgrundlage": basis, "aufforderungSchritt": rng.choice(_STEPS),
                    "aufforderungFrist": self.in_days(fall, 14, 21), "nachweisArt": rng.choice(_PROOFS)}
        if element == "Task_NachweisPruefen":
            return {"schrittErfuellt": rng.random() < 0.85}
        if element == "Task_AnhoerungEinleiten":
            return {"anhoerungFrist": self.in_days(fall, 14, 14), "anhoerungPersoenlich": rng.random() < 0.3}
        if element == "Task_GrundPruefen":
            good_reason = rng.random() < 0.3
            return {"wichtigerGrund": good_reason, "grundBeschreibung": rng.choice(_GROUNDS),
                    "haerte": rng.random() < 0.04}
        raise ValueError(f"keine Demo-Antworten für die Aufgabe {element}")

    def plan_form(self, fall: _Fall) -> dict[str, Any]:
        rng = fall.rng
        term = rng.choice(fall.profile.laufzeiten)
        term_days = int(term[1:-1]) * 30
        count = _weighted(rng, (("1", 75), ("2", 22), ("3", 3)))
        steps = []
        for _ in range(int(count)):  # due in the second half of the term; some only after it (checked at the review)
            due = workday(self.today + timedelta(days=rng.randint(term_days // 2, term_days * 11 // 10)))
            follow_up = None
            if rng.random() < 0.3 and (due - self.today).days > 14:
                follow_up = workday(self.today + timedelta(days=rng.randint(7, (due - self.today).days - 5)))
            steps.append({"beschreibung": rng.choice(_STEPS),
                          "verantwortlich": _weighted(rng, (("elb", 70), ("jobcenter", 15), ("gemeinsam", 15))),
                          "faellig": due.isoformat(), "wiedervorlage": follow_up and follow_up.isoformat()})
        return {"planZiel": rng.choice(_GOALS), "planLaufzeit": term,
                "eigenbemuehungen": "Zwei Bewerbungen pro Woche" if rng.random() < 0.5 else None, "schritte": steps}

    def after(self, fall: _Fall, element: str, form: Mapping[str, Any]) -> None:
        """Keep the demo's copy of the plan's open steps (the check dates the step timer waits for)."""
        if element == "Task_Kooperationsplan":
            fall.steps = {number: date.fromisoformat(step["wiedervorlage"] or step["faellig"])
                          for number, step in enumerate(form["schritte"], start=1)}
        elif element == "Task_SchrittPruefen" and form["schrittErledigt"]:
            fall.steps.pop(form["schrittNr"], None)
        elif element == "Task_GruendeBesprechen" and fall.checked_step is not None:
            if form["schrittEntscheidung"] == "aufforderung":
                fall.steps.pop(fall.checked_step, None)
                fall.demand_basis = "par15abs5"
            else:
                fall.steps[fall.checked_step] = date.fromisoformat(form["neueFrist"])


def _open_steps(steps: Any) -> dict[int, date]:
    result: dict[int, date] = {}
    for step in steps or ():
        if step.get("status") == "offen":
            check = step.get("wiedervorlage") or step["faellig"]
            result[int(step["nr"])] = check if isinstance(check, date) else date.fromisoformat(str(check))
    return result


# ---------------------------------------------------------------------------------------------- seeding


def existing_accounts(database: Database) -> set[str]:
    with database.session() as session:
        names = [account.username for account in ACCOUNTS]
        return set(session.scalars(select(StaffMember.username).where(StaffMember.username.in_(names))))


def seed(services: Services, *, cases: int = DEFAULT_CASES, now: datetime | None = None,
         seed_value: int = DEFAULT_SEED, progress: Callable[[str], None] | None = None) -> DemoReport:
    """Create the demo accounts and caseload; with the demo accounts present already, change nothing.

    The caseload is built on a simulated clock from about nine months before `now` (default: the
    services' clock) up to `now`; then every timer due by now has fired. The processes must be deployed.
    """
    began = timer.perf_counter()
    database = services.engine.database
    end = (now or services.clock.now()).astimezone(UTC)
    report = DemoReport()
    present = existing_accounts(database)
    if len(present) == len(ACCOUNTS):
        report.seconds = timer.perf_counter() - began
        return report
    start_day = berlin_day(end) - relativedelta(months=9)
    start = datetime.combine(start_day - timedelta(days=3), time(7, 0), BERLIN)
    from engine.bootstrap import bootstrap
    from engine.workplace.commands import Workplace

    clock = SimulatedClock(start)  # the staff existed before the first case
    simulated = bootstrap(database=database, clock=clock, migrate=False)
    workplace = Workplace(simulated)
    for account in ACCOUNTS:
        if account.username not in present:
            workplace.add_staff(account.username, account.display_name, account.role, account.password,
                                team=account.team, fte=account.fte, actor="demo")
            report.accounts_created += 1
    with database.session() as session:
        counsellors = [account.username for account in ACCOUNTS if account.role == "ifk"]
        if session.scalar(select(func.count(Case.id)).where(Case.counsellor.in_(counsellors))):
            report.seconds = timer.perf_counter() - began
            return report  # a caseload from an earlier run: keep it
    simulation = _Simulation(simulated, clock, end, report, progress)
    simulation.cases = _cases(random.Random(seed_value), cases, clock.now(), end)  # noqa: S311
    if progress is not None:
        progress(f"Demo-Fallbestand: {cases} Fälle vom {berlin_day(clock.now()):%d.%m.%Y} bis heute "
                 f"({berlin_day(end):%d.%m.%Y}) …")
    simulation.run()
    # The seeding took a while: let the clock catch up with real time so no timer is left overdue.
    real_now = services.clock.now()
    if now is None and real_now > clock.now():
        clock.set(real_now)
        simulation.fire()
    report.seconds = timer.perf_counter() - began
    report.overview = overview(database, clock.now())
    return report


def _cases(rng: random.Random, count: int, start: datetime, end: datetime) -> list[_Fall]:
    """Who the cases are: team, counsellor (by FTE), profile, when they came and their first session."""
    teams = list(TEAMS)
    numbers = rng.sample(range(1, 1_000_000), count)
    span_days = max(1, (end - start).days - 1)
    result = []
    for index in range(count):
        team = teams[index % len(teams)]
        counsellors = COUNSELLORS[team]
        counsellor = rng.choices(counsellors, [account.fte for account in counsellors])[0]
        profile = rng.choices(PROFILES, [profile.weight for profile in PROFILES])[0]
        # One in eight is the caseload taken over at the start; the rest arrives until today, more of it
        # lately (fewer of the older cases are still open).
        offset = rng.randint(0, 13) if rng.random() < 0.12 else round(span_days * rng.random() ** 0.6)
        day = workday(berlin_day(start) + timedelta(days=offset))
        moment = datetime.combine(day, WORK_START, BERLIN) + timedelta(minutes=rng.randint(0, 8 * 60))
        case_rng = random.Random(rng.getrandbits(64))  # noqa: S311  (demo data, not security)
        result.append(_Fall(
            index=index, number=f"{_OFFICES[team]}D{numbers[index]:06d}", team=team, counsellor=counsellor.username,
            profile=profile, rng=case_rng, start_at=max(moment.astimezone(UTC), start + timedelta(minutes=1)),
            first_session=workday(day + timedelta(days=rng.randint(5, 21))),
            exception="unzumutbar" if rng.random() < 0.7 else "integriert"))
    return result


# ---------------------------------------------------------------------------------------------- overview


def _team_order(team: str) -> tuple[int, str]:
    return (list(TEAMS).index(team), "") if team in TEAMS else (len(TEAMS), team)


def overview(database: Database, now: datetime) -> Overview:
    """The caseload at `now`: what each case waits for, priority groups, teams and this week's figures."""
    local = now.astimezone(BERLIN)
    week_start = datetime.combine(local.date() - timedelta(days=local.weekday()), time(0, 0), BERLIN)
    with database.session() as session:
        rows = session.execute(select(Case.id, Case.team, Case.priority_group, Case.mode, Case.data)).all()
        tasks = session.execute(select(OpenTask.case_id, OpenTask.element_id, OpenTask.due_at,
                                       OpenTask.follow_up_at).order_by(OpenTask.created_at)).all()
        waits = session.execute(select(Wait.case_id, Wait.kind, Wait.element_id, Wait.due_at)
                                .order_by(Wait.due_at)).all()
        sessions = session.scalar(select(func.count(CounsellingSession.id))
                                  .where(CounsellingSession.held_at >= week_start,
                                         CounsellingSession.held_at <= now)) or 0
    waiting: dict[int, str] = {}
    for task in tasks:
        waiting.setdefault(task.case_id, task.element_id)
    for wait in waits:
        if wait.element_id not in _BOUNDARY_MESSAGES:
            waiting.setdefault(wait.case_id, wait.element_id)
    phases = Counter(PHASES.get(waiting.get(row.id, ""), waiting.get(row.id) or "abgeschlossen") for row in rows)
    order = list(dict.fromkeys(PHASES.values()))
    return Overview(
        cases=len(rows),
        phases=dict(sorted(phases.items(), key=lambda item: order.index(item[0]) if item[0] in order else 99)),
        groups=dict(sorted(Counter(row.priority_group for row in rows).items(), key=lambda item: item[0] or 0)),
        teams=dict(sorted(Counter(row.team for row in rows).items(), key=lambda item: _team_order(item[0]))),
        modes=dict(Counter(row.mode for row in rows)),
        open_task_kinds=dict(Counter(task.element_id for task in tasks).most_common()),
        sessions_this_week=sessions,
        overdue_tasks=sum(1 for task in tasks if task.due_at is not None and task.due_at < now),
        future_follow_ups=sum(1 for task in tasks if task.follow_up_at is not None and task.follow_up_at > now),
        cases_with_reductions=sum(1 for row in rows if isinstance(row.data, dict) and row.data.get("minderungen")),
        due_timers=sum(1 for wait in waits if wait.kind == "timer" and wait.due_at is not None and wait.due_at <= now),
    )
