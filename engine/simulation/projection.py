"""Caseload projection: N simulated cases over M months through the real diagrams, counted per week.

Each case is a made-up client whose behaviour comes from a YAML file (processes/scenarios/projektion/):
does the client attend, cooperate, do the agreed steps, miss appointments, send proof after a demand,
have a good reason. The counsellors (`ifk-1` … `ifk-k`, the cases dealt out in turn) answer every task
the diagrams open with plausible form data, and every command goes through the service functions of
production (start_case, complete_task, deliver_message, fire_due_timers) on a throwaway in-memory
SQLite database and a simulated clock. Nothing is modelled beside the engine: which task comes next,
when a timer fires, whether a missed appointment leads to a reduction — the diagrams and decision
tables decide, so the projection follows whatever the process owners ship.

How the simulated IFK behave (documented here so that the figures can be read):
- Sessions (Erstgespräch, Beratungsgespräch, Überprüfung des Kooperationsplans) take place on the agreed
  day (the task's Wiedervorlage); an agreed day that has passed is replaced by a new invitation in
  7-14 days. The next contact is set by the contact density the decision tables `Prioritaetsgruppe`
  and `Kontaktdichte` give for the session's answers; when a plan is agreed, the next contact is the
  Wiedervorlage of its first step (the process itself holds no session while the plan runs).
- Office tasks (checks, demands, hearings, decisions) are done within a few working days.
- Work happens on working days in Lower Saxony; everything of one day happens at noon.

Counting, per week (Monday to Sunday), from the database of the run:
- sessions held per IFK (table `counselling_sessions`; the concept's minimum is 20 per VZÄ and week),
- demands issued (completed `Task_AfErstellen`), reductions recorded (`Task_MvMinderungErfassen`,
  `Task_AfMinderungErfassen` in the event log), missed appointments (message `Meldeversaeumnis`),
- cases without a next contact at the end of the week (`cases.next_contact_on` empty or passed), and of
  those the ones a pending timer (e.g. a step's Wiedervorlage while a plan runs) will bring back.

Speed: the cases are dealt to `workers` processes (spawned), each with its own in-memory database; the
weekly tables are added up. Every case draws from its own `random.Random`, seeded from the run's seed
and the case number, so a run is reproducible and does not depend on the number of workers.
"""

from __future__ import annotations

import gc
import html
import json
import multiprocessing
import random
import time as timer
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml
from dateutil.relativedelta import relativedelta
from sqlalchemy import CompoundSelect, Date, bindparam, literal, null, select, text, union_all
from sqlalchemy.pool import StaticPool

from engine.bootstrap import bootstrap
from engine.domain.actions import deadline_end, update_case
from engine.domain.plan import MAX_STEPS
from engine.runtime import dmn
from engine.runtime.clock import BERLIN, SimulatedClock
from engine.runtime.durations import DurationError, add_duration, parse_duration
from engine.runtime.errors import EngineError
from engine.runtime.lint import load_files
from engine.runtime.model import Document
from engine.runtime.store import OpenTask, UtcDateTime, Wait
from engine.simulation.scenario import ScenarioError, read_yaml

DEFAULT_START = date(2025, 3, 3)  # a Monday, while the Bürgergeld still applies
MINIMUM_SESSIONS = 20  # held sessions per VZÄ and week (concept section 7)
NOON = time(12, 0)

# ---------------------------------------------------------------------------------------------- behaviour

# Probabilities every behaviour set needs (in »standard«), with their German meaning for messages.
CORE = {
    "erscheint": "erscheint zu einem vereinbarten Termin",
    "versaeumt_termin": "bleibt einem Termin, zu dem sie/er nicht erscheint, ohne Absage fern (Meldeversäumnis)",
    "kooperiert": "vereinbart im Gespräch einen Kooperationsplan",
    "setzt_schritte_um": "setzt einen Schritt bis zur Fälligkeit um",
    "nachweis_bei_aufforderung": "reicht nach einer Aufforderung fristgerecht einen Nachweis ein",
    "wichtiger_grund": "hat einen wichtigen Grund (Meldeversäumnis, Anhörung)",
}
OPTIONAL_PROBABILITIES = {
    "schlichtung_gewuenscht": 0.6,
    "stellungnahme": 0.5,
    "haerte": 0.02,
    "telefonisch": 0.3,
}
WEIGHTS: dict[str, dict[Any, float]] = {
    "planlaufzeit": {"P3M": 60, "P6M": 40},
    "schritte_je_plan": {1: 60, 2: 30, 3: 10},
    "ohne_plan": {"kein_plan": 50, "beratungsunwillig": 40, "beratungsunfaehig": 10},
    "schritt_nicht_umgesetzt": {"weiterer_versuch": 55, "anpassen": 35, "aufforderung": 10},
    "rueckmeldung": {"einladen": 70, "plan_aktualisieren": 30},
}
WEIGHT_CHOICES: dict[str, tuple[Any, ...]] = {
    "ohne_plan": ("kein_plan", "beratungsunwillig", "beratungsunfaehig"),
    "schritt_nicht_umgesetzt": ("weiterer_versuch", "anpassen", "aufforderung"),
    "rueckmeldung": ("einladen", "plan_aktualisieren"),
    "schritte_je_plan": tuple(range(1, MAX_STEPS + 1)),
}
FEATURES = {"integrationsnah": False, "erwerbsminderung": False, "ohne_perspektive": False, "ausnahme": "keine"}
EXCEPTIONS = ("keine", "integriert", "unzumutbar")
SET_KEYS = (*CORE, *OPTIONAL_PROBABILITIES, *WEIGHTS, "merkmale")
TOP_KEYS = ("name", "beginn", "anlauf_tage", "standard", "typen")


@dataclass(frozen=True)
class ClientType:
    """One kind of client: how likely each behaviour is, and the IFK's usual choices for them."""

    name: str
    share: float
    probabilities: Mapping[str, float]
    weights: Mapping[str, tuple[tuple[Any, float], ...]]
    integrationsnah: bool = False
    erwerbsminderung: bool = False
    ohne_perspektive: bool = False
    ausnahme: str = "keine"

    def p(self, key: str) -> float:
        return self.probabilities[key]


@dataclass(frozen=True)
class Behaviour:
    name: str
    file: str
    start: date | None
    ramp_days: int
    types: tuple[ClientType, ...]


class _Lines:
    """Line numbers of the keys and values of a YAML document, by key path."""

    def __init__(self, node: Any) -> None:
        self.keys: dict[tuple[Any, ...], int] = {}
        self.values: dict[tuple[Any, ...], int] = {}
        self._walk(node, ())

    def _walk(self, node: Any, path: tuple[Any, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = yaml.safe_load(yaml.serialize(key)) if isinstance(key, yaml.ScalarNode) else None
                self.keys[(*path, name)] = key.start_mark.line + 1
                self.values[(*path, name)] = value.start_mark.line + 1
                self._walk(value, (*path, name))

    def key(self, *path: Any) -> int | None:
        """The line of the key at `path`, else of the nearest enclosing key that exists."""
        while path:
            if path in self.keys:
                return self.keys[path]
            path = path[:-1]
        return None

    def value(self, *path: Any) -> int | None:
        return self.values.get(path) or self.key(*path)


def load_behaviour(path: Path, plan_terms: Collection[str] | None = None) -> Behaviour:
    """Read and check a behaviour file; errors name file and line in German (ScenarioError).

    `plan_terms` are the terms the plan form offers (from the diagram); without it any ISO duration passes.
    """
    file = str(path)
    node, raw = read_yaml(path)
    lines = _Lines(node)
    if not isinstance(raw, dict) or set(raw) != {"verhalten"} or not isinstance(raw["verhalten"], dict):
        raise ScenarioError(file, 1, "Eine Verhaltensdatei hat genau einen obersten Eintrag »verhalten:« mit "
                                     "»standard« (und optional name, beginn, anlauf_tage, typen).")
    top: dict[Any, Any] = raw["verhalten"]
    _unknown(file, lines, top, TOP_KEYS, ("verhalten",))
    name = top.get("name", Path(file).stem)
    if not isinstance(name, str) or not name.strip():
        raise ScenarioError(file, lines.value("verhalten", "name"), "»name« ist ein kurzer Text.")
    start = top.get("beginn")
    if start is not None and (not isinstance(start, date) or isinstance(start, datetime)):
        raise ScenarioError(file, lines.value("verhalten", "beginn"),
                            f"»beginn« muss ein Datum sein (JJJJ-MM-TT), nicht »{start}«.")
    ramp = top.get("anlauf_tage", 28)
    if not isinstance(ramp, int) or isinstance(ramp, bool) or not 1 <= ramp <= 365:
        raise ScenarioError(file, lines.value("verhalten", "anlauf_tage"),
                            f"»anlauf_tage« ist eine ganze Zahl von 1 bis 365, nicht »{ramp}«.")
    standard = top.get("standard")
    if not isinstance(standard, dict):
        raise ScenarioError(file, lines.key("verhalten", "standard") or lines.key("verhalten"),
                            "Es fehlt der Abschnitt »standard« mit den Wahrscheinlichkeiten "
                            f"{', '.join(CORE)}.")
    for key in CORE:
        if key not in standard:
            raise ScenarioError(file, lines.key("verhalten", "standard"),
                                f"Im Abschnitt »standard« fehlt »{key}« (Wahrscheinlichkeit, dass die eLb "
                                f"{CORE[key]}).")
    base = _set(file, lines, standard, ("verhalten", "standard"), None, plan_terms)
    types_raw = top.get("typen")
    types: list[ClientType] = []
    if types_raw is None:
        types.append(_client_type("standard", 1.0, base))
    else:
        if not isinstance(types_raw, dict) or not types_raw:
            raise ScenarioError(file, lines.value("verhalten", "typen"),
                                "»typen« ordnet jedem Typ (Name) seine Abweichungen vom Standard und einen "
                                "»anteil« zu.")
        for type_name, overrides in types_raw.items():
            where = ("verhalten", "typen", type_name)
            if not isinstance(overrides, dict) or "anteil" not in overrides:
                raise ScenarioError(file, lines.key(*where), f"Der Typ »{type_name}« braucht einen »anteil« "
                                                             "(Gewicht im Fallbestand), z. B. »anteil: 20«.")
            share = overrides["anteil"]
            if not _number(share) or share <= 0:
                raise ScenarioError(file, lines.value(*where, "anteil"),
                                    f"»anteil« ist eine Zahl größer 0, nicht »{share}«.")
            rest = {key: value for key, value in overrides.items() if key != "anteil"}
            merged = _set(file, lines, rest, where, base, plan_terms)
            types.append(_client_type(str(type_name), float(share), merged))
    return Behaviour(name.strip(), file, start, ramp, tuple(types))


def _unknown(file: str, lines: _Lines, given: Mapping[Any, Any], allowed: Sequence[str],
             where: tuple[Any, ...]) -> None:
    for key in given:
        if key not in allowed:
            raise ScenarioError(file, lines.key(*where, key), f"Unbekannter Eintrag »{key}«; erlaubt sind: "
                                                              f"{', '.join(allowed)}.")


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _set(file: str, lines: _Lines, given: Mapping[Any, Any], where: tuple[Any, ...],
         base: Mapping[str, Any] | None, plan_terms: Collection[str] | None) -> dict[str, Any]:
    """One behaviour set, checked; keys not given come from `base` (the standard) or the defaults."""
    _unknown(file, lines, given, SET_KEYS, where)
    result: dict[str, Any] = dict(base) if base is not None else {
        **OPTIONAL_PROBABILITIES, **{key: dict(value) for key, value in WEIGHTS.items()}, "merkmale": dict(FEATURES)}
    for key in (*CORE, *OPTIONAL_PROBABILITIES):
        if key not in given:
            continue
        value = given[key]
        if not _number(value) or not 0 <= value <= 1:
            raise ScenarioError(file, lines.value(*where, key),
                                f"»{key}« ist eine Wahrscheinlichkeit zwischen 0 und 1 (z. B. 0.85), nicht »{value}«.")
        result[key] = float(value)
    for key in WEIGHTS:
        if key in given:
            result[key] = _weights(file, lines, key, given[key], (*where, key), plan_terms)
    if "merkmale" in given:
        features = given["merkmale"]
        line = lines.value(*where, "merkmale")
        if not isinstance(features, dict):
            raise ScenarioError(file, line, "»merkmale« ordnet Merkmalen Werte zu, z. B. »{integrationsnah: true}«.")
        _unknown(file, lines, features, tuple(FEATURES), (*where, "merkmale"))
        merged = dict(result["merkmale"])
        for key, value in features.items():
            at = lines.value(*where, "merkmale", key)
            if key == "ausnahme":
                if value not in EXCEPTIONS:
                    raise ScenarioError(file, at, f"»ausnahme« ist eines von {', '.join(EXCEPTIONS)}, "
                                                  f"nicht »{value}«.")
            elif not isinstance(value, bool):
                raise ScenarioError(file, at, f"»{key}« ist true oder false, nicht »{value}«.")
            merged[key] = value
        result["merkmale"] = merged
    return result


def _weights(file: str, lines: _Lines, key: str, value: Any, where: tuple[Any, ...],
             plan_terms: Collection[str] | None) -> dict[Any, float]:
    line = lines.value(*where)
    if not isinstance(value, dict) or not value:
        raise ScenarioError(file, line, f"»{key}« ordnet jeder Wahl ein Gewicht zu, z. B. "
                                        f"»{_example(key)}«.")
    allowed = WEIGHT_CHOICES.get(key)
    for choice, weight in value.items():
        at = lines.value(*where, choice)
        if key == "planlaufzeit":
            try:
                parse_duration(str(choice))
            except DurationError as error:
                raise ScenarioError(file, at, f"»{choice}« ist keine Laufzeit wie P3M: {error}") from error
            if plan_terms is not None and choice not in plan_terms:
                raise ScenarioError(file, at, f"Die Laufzeit »{choice}« bietet das Formular »Kooperationsplan "
                                              f"vereinbaren« nicht an; erlaubt sind {', '.join(plan_terms)}.")
        elif allowed is not None and choice not in allowed:
            shown = f"1 bis {MAX_STEPS}" if key == "schritte_je_plan" else ", ".join(map(str, allowed))
            raise ScenarioError(file, at, f"»{choice}« ist unter »{key}« nicht möglich; erlaubt sind {shown}.")
        if not _number(weight) or weight < 0:
            raise ScenarioError(file, at, f"Das Gewicht von »{choice}« ist eine Zahl ab 0, nicht »{weight}«.")
    if not sum(value.values()) > 0:
        raise ScenarioError(file, line, f"Unter »{key}« muss mindestens ein Gewicht größer 0 sein.")
    return {choice: float(weight) for choice, weight in value.items()}


def _example(key: str) -> str:
    sample = WEIGHTS[key]
    return "{" + ", ".join(f"{choice}: {weight:g}" for choice, weight in sample.items()) + "}"


def _client_type(name: str, share: float, values: Mapping[str, Any]) -> ClientType:
    features = values["merkmale"]
    return ClientType(
        name=name, share=share,
        probabilities={key: float(values[key]) for key in (*CORE, *OPTIONAL_PROBABILITIES)},
        weights={key: tuple(values[key].items()) for key in WEIGHTS},
        integrationsnah=bool(features["integrationsnah"]), erwerbsminderung=bool(features["erwerbsminderung"]),
        ohne_perspektive=bool(features["ohne_perspektive"]), ausnahme=str(features["ausnahme"]))


# ---------------------------------------------------------------------------------------------- results


@dataclass
class WeekRow:
    """One week (Monday to Sunday) of the projection."""

    week: int  # 1-based
    monday: date
    sessions_per_ifk: dict[str, int]
    in_person: int = 0
    by_phone: int = 0
    demands: int = 0
    reductions_missed_appointment: int = 0  # § 32 (Meldeversäumnis)
    reductions_breach: int = 0  # § 31 (Pflichtverletzung after a demand)
    missed_appointments: int = 0
    without_next_contact: int = 0  # at the week's end
    without_next_contact_timer_pending: int = 0  # of those: a pending timer (e.g. a step's Wiedervorlage)

    @property
    def sessions(self) -> int:
        return sum(self.sessions_per_ifk.values())

    @property
    def reductions(self) -> int:
        return self.reductions_missed_appointment + self.reductions_breach

    @property
    def mean_per_ifk(self) -> float:
        return self.sessions / len(self.sessions_per_ifk) if self.sessions_per_ifk else 0.0


@dataclass
class Summary:
    case_years: float
    weeks: int
    caseload_per_ifk: float
    sessions_per_ifk_week: float  # mean over all weeks and IFK
    sessions_per_ifk_week_second_half: float  # mean over the second half of the weeks (after the start-up)
    sessions_per_ifk_week_max: int  # the busiest IFK in the busiest week
    weeks_below_minimum: int  # weeks whose mean per IFK is below the minimum of 20
    sessions: int
    demands: int
    reductions: int
    reductions_missed_appointment: int
    reductions_breach: int
    missed_appointments: int
    without_next_contact_mean: float
    without_next_contact_last: int
    types: dict[str, int]
    commands: int
    timers_fired: int


@dataclass
class ProjectionResult:
    behaviour: str  # the name in the file
    file: str
    cases: int
    months: int
    ifk: int
    seed: int
    workers: int
    start: date
    end: date
    weeks: list[WeekRow]
    summary: Summary
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0  # wall-clock time of the whole run
    worker_cpu_seconds: list[float] = field(default_factory=list)  # CPU time of each worker


# ---------------------------------------------------------------------------------------------- simulation

SESSION_TASKS = frozenset({"Task_Erstgespraech", "Task_Beratungsgespraech"})
# Sessions where a missed appointment can be reported (the diagram has the message boundary there).
MISSABLE = SESSION_TASKS
REVIEW = "Task_PlanUeberpruefen"
# Office tasks: how many working days after they open the IFK does them (low, high).
OFFICE_DAYS: dict[str, tuple[int, int]] = {
    "Task_Kooperationsplan": (0, 0), "Task_SchritteFestlegen": (0, 0), "Task_SchlichtungAnbieten": (0, 0),
    "Task_SchrittPruefen": (0, 3), "Task_GruendeBesprechen": (2, 7), "Task_RueckmeldungAuswerten": (1, 7),
    "Task_SlErgebnis": (0, 3), "Task_MvPruefen": (1, 3), "Task_MvBescheid": (1, 5), "Task_MvUnerreichbar": (1, 3),
    "Task_MvEinladen": (0, 1), "Task_AfErstellen": (0, 3), "Task_NachweisPruefen": (0, 3),
    "Task_AnhoerungEinleiten": (0, 3), "Task_GrundPruefen": (1, 5), "Task_AfBescheid": (1, 5),
}
# Messages the client (or the conciliation board) sends, and the timer they race against.
MESSAGES = {"NachweisEingegangen": "Event_AfFrist", "StellungnahmeEingegangen": "Event_AnhoerungFrist",
            "SchlichtungBeendet": "Event_SlFrist"}
REDUCTION_ELEMENTS = {"Task_MvMinderungErfassen": "meldeversaeumnis", "Task_AfMinderungErfassen": "pflichtverletzung"}

_WAITING: CompoundSelect[Any] = union_all(
    select(literal("task").label("kind"), OpenTask.id.label("ref"), OpenTask.element_id,
           OpenTask.element_id.label("name"), OpenTask.created_at.label("at"), OpenTask.follow_up_at)
    .where(OpenTask.case_id == bindparam("case_id")),
    select(Wait.kind, Wait.task_id, Wait.element_id, Wait.name, Wait.due_at.label("at"), null())
    .where(Wait.case_id == bindparam("case_id")))
_WITHOUT_CONTACT = text(
    "SELECT count(*), coalesce(sum(EXISTS (SELECT 1 FROM waits w WHERE w.case_id = c.id AND w.kind = 'timer' "
    "AND w.due_at > :now)), 0) FROM cases c WHERE c.next_contact_on IS NULL OR c.next_contact_on < :day"
).bindparams(bindparam("now", type_=UtcDateTime()), bindparam("day", type_=Date()))

_GOALS = ("Arbeitsaufnahme im Verkauf", "Beschäftigung in der Lagerlogistik", "Einstieg in die Pflegehilfe",
          "Deutschkurs B1 abschließen", "Teilzeitbeschäftigung in der Gastronomie")
_STEPS = ("Zwei Bewerbungen pro Woche schreiben", "Lebenslauf mit dem Bewerbungscoaching überarbeiten",
          "Zum Deutschkurs anmelden", "Vorstellungsgespräch wahrnehmen", "Kita-Platz beantragen",
          "Termin bei der Schuldnerberatung vereinbaren")
_NOTES = ("Stand der Schritte besprochen", "Bewerbungsaktivitäten besprochen", "Vermittlungsvorschläge übergeben")


@dataclass
class _Client:
    """One simulated case as the driver sees it; what the engine holds is read from the database."""

    index: int
    number: str
    ifk: str
    kind: ClientType
    rng: random.Random
    first_day: date
    case_id: int = 0
    next_look: date | None = None
    planned: dict[str, tuple[date, str]] = field(default_factory=dict)  # task id -> day, what
    messages: dict[str, date | None] = field(default_factory=dict)  # waiting event's task id -> delivery day
    steps: dict[int, date] = field(default_factory=dict)  # open plan steps: number -> check day
    checked_step: int | None = None
    pending_plan: dict[str, Any] | None = None
    initial_phase: bool = True
    next_kind: str = "folgetermin_praesenz"
    density: tuple[int, str] = (28, "praesenz_oder_telefon")
    demand_basis: str = "par15abs6"
    missed_on: date | None = None
    agreement: bool | None = None
    stopped: bool = False


@dataclass(frozen=True)
class _Job:
    behaviour: Behaviour
    processes: str
    start: date
    days: int
    cases: int
    ifk: int
    seed: int
    worker: int
    workers: int


@dataclass
class _Partial:
    """What one worker counted; plain values, so it pickles back to the parent."""

    sessions: dict[tuple[int, str, str], int] = field(default_factory=dict)  # (week, ifk, kind) -> count
    demands: dict[int, int] = field(default_factory=dict)
    reductions: dict[tuple[int, str], int] = field(default_factory=dict)
    missed: dict[int, int] = field(default_factory=dict)
    without_contact: dict[int, tuple[int, int]] = field(default_factory=dict)
    types: dict[str, int] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)
    commands: int = 0
    timers_fired: int = 0
    cpu_seconds: float = 0.0  # the worker's own CPU time (setup included), independent of other load


def _weighted(rng: random.Random, choices: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([value for value, _ in choices], [weight for _, weight in choices])[0]


def _workday(day: date) -> date:
    return deadline_end(day)


def _berlin_day(moment: datetime) -> date:
    return moment.astimezone(BERLIN).date()


def _noon(day: date) -> datetime:
    return datetime.combine(day, NOON, BERLIN).astimezone(UTC)


def read_decisions(documents: Mapping[str, Document]) -> dict[str, dmn.Decision]:
    return {key: value for document in documents.values() if document.kind == "dmn"
            for key, value in dmn.read_decisions(document.root, document.file).items()}


class _Simulation:
    """One worker: its own in-memory database, its slice of the cases, the days one after another."""

    def __init__(self, job: _Job) -> None:
        self.job = job
        self.clock = SimulatedClock(_noon(job.start) - timedelta(hours=4))
        self.services = bootstrap("sqlite://", clock=self.clock, poolclass=StaticPool,
                                  connect_args={"check_same_thread": False})
        self.database = self.services.engine.database
        processes = Path(job.processes)
        self.services.deploy([processes], actor="projektion")
        documents, _ = load_files([processes])
        self.decisions = read_decisions(documents)
        self._densities: dict[tuple[Any, ...], tuple[int, str]] = {}
        self.partial = _Partial()
        self.agenda: dict[date, set[int]] = defaultdict(set)
        self.clients: dict[int, _Client] = {}

    # ------------------------------------------------------------------ main loop

    def run(self) -> _Partial:
        job = self.job
        types = job.behaviour.types
        for index in range(job.worker, job.cases, job.workers):
            rng = random.Random(job.seed * 1_000_003 + index)  # noqa: S311  (simulation, not security)
            kind = types[0] if len(types) == 1 else _weighted(rng, [(item, item.share) for item in types])
            first = _workday(job.start + timedelta(days=rng.randrange(job.behaviour.ramp_days)))
            client = _Client(index, f"P{index + 1:06d}", f"ifk-{index % job.ifk + 1}", kind, rng, first)
            self.clients[index] = client
            self.partial.types[kind.name] = self.partial.types.get(kind.name, 0) + 1
        self.clock.set(_noon(job.start) - timedelta(hours=2))
        for client in self.clients.values():
            outcome = self.services.start_case(client.number, "projektion", counsellor=client.ifk,
                                               data={"naechsterKontaktAm": client.first_day}, actor=client.ifk)
            client.case_id = outcome.case_id
            self.partial.commands += 1
            self.schedule(client, client.first_day)
        for offset in range(job.days):
            day = job.start + timedelta(days=offset)
            self.clock.set(_noon(day))
            self.fire()
            for index in sorted(self.agenda.pop(day, ())):
                client = self.clients[index]
                if client.next_look == day and not client.stopped:
                    self.look(client)
            if day.weekday() == 6:
                self.snapshot(offset // 7, day)
        self.count()
        self.database.dispose()
        return self.partial

    def schedule(self, client: _Client, day: date) -> None:
        if day < self.today:  # never in the past: today's agenda is being worked off
            day = self.today + timedelta(days=1)
        client.next_look = day
        self.agenda[day].add(client.index)

    @property
    def today(self) -> date:
        return _berlin_day(self.clock.now())

    def fire(self) -> None:
        while True:
            fired = self.services.fire_due_timers(limit=1000, actor="zeitgeber")
            self.partial.timers_fired += fired
            self.partial.commands += fired
            if fired < 1000:
                return

    def snapshot(self, week: int, sunday: date) -> None:
        with self.database.engine.connect() as connection:
            count, pending = connection.execute(_WITHOUT_CONTACT, {
                "day": sunday + timedelta(days=1), "now": self.clock.now()}).one()
        self.partial.without_contact[week] = (int(count), int(pending))

    # ------------------------------------------------------------------ one case

    def look(self, client: _Client) -> None:
        """Do what is due in this case today, then plan its next look."""
        try:
            self._look(client)
        except (EngineError, ValueError, KeyError) as error:  # one odd case is reported, the run goes on
            client.stopped = True
            self.partial.problems.append((client.index, f"{client.number} am {self.today:%d.%m.%Y}: "
                                                        f"{type(error).__name__}: {error}"))

    def _look(self, client: _Client) -> None:
        today, now = self.today, self.clock.now()
        for _ in range(50):
            with self.database.engine.connect() as connection:
                rows = connection.execute(_WAITING, {"case_id": client.case_id}).all()
            tasks = sorted((row for row in rows if row.kind == "task"), key=lambda row: (row.at, row.element_id))
            waits = [row for row in rows if row.kind != "task"]
            timers = [row.at for row in waits if row.kind == "timer" and row.at is not None]
            if timers and min(timers) <= now:
                self.fire()
                continue
            open_ids = {row.ref for row in tasks}
            client.planned = {key: value for key, value in client.planned.items() if key in open_ids}
            due = None
            for row in tasks:
                if row.ref not in client.planned:
                    client.planned[row.ref] = self.plan_task(client, row.element_id, row.at, row.follow_up_at)
                if client.planned[row.ref][0] <= today and due is None:
                    due = row
            if due is not None:
                self.act(client, due.ref, due.element_id)
                continue
            deliveries = self.plan_messages(client, waits)
            ready = [(day, name) for day, name in deliveries if day <= today]
            if ready:
                self.services.deliver_message(client.case_id, ready[0][1], {}, actor=client.ifk)
                self.partial.commands += 1
                continue
            days = [day for day, _ in client.planned.values()] + [day for day, _ in deliveries]
            if timers:
                moment = min(timers)
                day = _berlin_day(moment)
                days.append(day if _noon(day) >= moment else day + timedelta(days=1))
            if days:
                self.schedule(client, _workday(min(days)))
            return
        raise EngineError("Der Fall kam an einem Tag nicht zur Ruhe (mehr als 50 Schritte).")

    def plan_task(self, client: _Client, element: str, created: datetime,
                  follow_up: datetime | None) -> tuple[date, str]:
        """When the IFK works this task and, for a session, whether the client turns up."""
        rng, today = client.rng, self.today
        if element in SESSION_TASKS or element == REVIEW:
            day: date | None = _berlin_day(follow_up) if follow_up is not None else None
            if element == REVIEW:  # the review is agreed when the plan's term is over or all steps are done
                day = _berlin_day(created) + timedelta(days=rng.randint(3, 10))
            if day is None or day < today:  # the agreed day has passed: invite anew
                day = today + timedelta(days=rng.randint(7, 14))
            return _workday(day), self._attendance(client, element)
        if element not in OFFICE_DAYS:
            raise EngineError(f"Für die Aufgabe {element} kennt die Projektion keine Antworten.")
        low, high = OFFICE_DAYS[element]
        day = today
        for _ in range(rng.randint(low, high)):
            day = _workday(day + timedelta(days=1))
        return day, "erledigen"

    @staticmethod
    def _attendance(client: _Client, element: str) -> str:
        kind, rng = client.kind, client.rng
        if rng.random() < kind.p("erscheint"):
            return "erledigen"
        if element in MISSABLE and rng.random() < kind.p("versaeumt_termin"):
            return "versaeumt"
        return "verschoben"

    def plan_messages(self, client: _Client, waits: Sequence[Any]) -> list[tuple[date, str]]:
        """Proofs, statements and the end of conciliation arrive (or not) before their deadline."""
        deliveries: list[tuple[date, str]] = []
        for wait in waits:
            if wait.kind != "message" or wait.name not in MESSAGES:
                continue
            if wait.ref not in client.messages:
                deadline = next((row.at for row in waits if row.element_id == MESSAGES[wait.name]), None)
                days = (_berlin_day(deadline) - self.today).days - 1 if deadline is not None else 0
                kind, rng = client.kind, client.rng
                if wait.name == "NachweisEingegangen":
                    sends = rng.random() < kind.p("nachweis_bei_aufforderung")
                elif wait.name == "StellungnahmeEingegangen":
                    sends = rng.random() < kind.p("stellungnahme")
                else:  # conciliation: an agreement usually ends it before the four weeks are over
                    client.agreement = rng.random() < kind.p("kooperiert")
                    sends = client.agreement
                when = None
                if sends and days >= 1:
                    when = self.today + timedelta(days=rng.randint(1, days))
                client.messages[wait.ref] = when
            planned = client.messages[wait.ref]
            if planned is not None:
                deliveries.append((planned, wait.name))
        return deliveries

    def act(self, client: _Client, task_id: str, element: str) -> None:
        _, what = client.planned.pop(task_id)
        if what == "versaeumt":
            client.missed_on = self.today
            self.services.deliver_message(client.case_id, "Meldeversaeumnis", {}, actor=client.ifk)
        elif what == "verschoben":  # cancelled in time: a new appointment in one to two weeks
            day = _workday(self.today + timedelta(days=client.rng.randint(7, 14)))
            client.planned[task_id] = (day, self._attendance(client, element))
            return
        else:
            form = self.answers(client, element, task_id)
            self.services.complete_task(task_id, form, actor=client.ifk)
            self.after(client, element, form)
        self.partial.commands += 1

    # ------------------------------------------------------------------ answers

    def in_days(self, low: int, high: int, rng: random.Random) -> str:
        return _workday(self.today + timedelta(days=rng.randint(low, high))).isoformat()

    def density(self, answers: Mapping[str, Any]) -> tuple[int, str]:
        """The contact interval and kind the decision tables give for these session answers."""
        names = ("anfangsphase", "ausnahme", "ohneVeraenderungsperspektive", "erwerbsminderungPruefung",
                 "integrationsnah", "kooperationsbereit")
        key = tuple(answers.get(name) for name in names)
        cached = self._densities.get(key)
        if cached is None:
            group = dmn.evaluate(self.decisions, "Prioritaetsgruppe", dict(zip(names, key, strict=True))).value
            value = dmn.evaluate(self.decisions, "Kontaktdichte", {"prioritaetsgruppe": group}).value
            assert isinstance(value, dict)
            cached = self._densities[key] = (int(value["kontaktAbstandTage"]), str(value["kontaktart"]))
        return cached

    def answers(self, client: _Client, element: str, task_id: str) -> dict[str, Any]:
        rng, kind, today = client.rng, client.kind, self.today
        if element in SESSION_TASKS:
            return self.session_form(client, element)
        if element == REVIEW:
            interval, contact = client.density
            in_person = contact == "praesenz" or rng.random() >= kind.p("telefonisch")
            client.next_kind = next_kind = self.next_kind(client, contact)
            return {"ueberpruefung": "Plan überprüft, Schritte besprochen",
                    "gespraechsart": "praesenz" if in_person else "telefon", "naechsterKontakt": next_kind,
                    "naechsterKontaktAm": _workday(today + timedelta(days=interval)).isoformat()}
        if element == "Task_Kooperationsplan":
            plan, client.pending_plan = client.pending_plan or self.draw_plan(client), None
            return plan
        if element == "Task_SchrittPruefen":
            if not client.steps:  # not our copy of the plan: read the steps the instance holds
                client.steps = _open_steps(self.services.task_form(task_id)[2].get("schritte"))
            number = min(client.steps, key=lambda nr: (client.steps[nr], nr))
            client.checked_step = number
            return {"schrittNr": number, "schrittErledigt": rng.random() < kind.p("setzt_schritte_um"),
                    "notiz": rng.choice(_NOTES)}
        if element == "Task_GruendeBesprechen":
            decision = _weighted(rng, kind.weights["schritt_nicht_umgesetzt"])
            return {"gruende": "Gründe besprochen", "schrittEntscheidung": decision,
                    "neueFrist": None if decision == "aufforderung" else self.in_days(14, 28, rng),
                    "schrittBeschreibung": rng.choice(_STEPS) if decision == "anpassen" else None}
        if element == "Task_RueckmeldungAuswerten":
            return {"rueckmeldung": "Rückmeldung liegt vor",
                    "rueckmeldungEntscheidung": _weighted(rng, kind.weights["rueckmeldung"]),
                    "naechsterKontaktAm": self.in_days(14, 28, rng)}
        if element == "Task_SchritteFestlegen":
            return {"schrittBeschreibung": rng.choice(_STEPS), "schrittFaellig": self.in_days(14, 28, rng),
                    "planDochVereinbart": rng.random() < kind.p("kooperiert")}
        if element == "Task_SchlichtungAnbieten":
            return {"schlichtungGewuenscht": rng.random() < kind.p("schlichtung_gewuenscht")}
        if element == "Task_SlErgebnis":
            agreed = client.agreement if client.agreement is not None else rng.random() < kind.p("kooperiert")
            client.agreement = None
            return {"einigung": agreed}
        if element == "Task_MvPruefen":
            reason = rng.random() < kind.p("wichtiger_grund")
            return {"terminAm": (client.missed_on or today).isoformat(), "einladungMitRfb": True,
                    "wichtigerGrund": reason, "grundBeschreibung": "Attest liegt vor" if reason else None,
                    "haerte": rng.random() < kind.p("haerte")}
        if element in {"Task_MvBescheid", "Task_AfBescheid"}:
            return {"bescheidAm": today.isoformat()}
        if element == "Task_MvUnerreichbar":
            return {"feststellungAm": today.isoformat()}
        if element == "Task_MvEinladen":
            return {"naechsterKontaktAm": self.in_days(7, 14, rng), "einladungMitRfb": True}
        if element == "Task_AfErstellen":
            basis, client.demand_basis = client.demand_basis, "par15abs6"
            return {"rechtsgrundlage": basis, "aufforderungSchritt": rng.choice(_STEPS),
                    "aufforderungFrist": self.in_days(14, 21, rng), "nachweisArt": "Kopie oder Bestätigung"}
        if element == "Task_NachweisPruefen":
            return {"schrittErfuellt": True}  # the proof of a done step arrived
        if element == "Task_AnhoerungEinleiten":
            return {"anhoerungFrist": self.in_days(14, 14, rng), "anhoerungPersoenlich": False}
        if element == "Task_GrundPruefen":
            reason = rng.random() < kind.p("wichtiger_grund")
            return {"wichtigerGrund": reason, "grundBeschreibung": "Stellungnahme geprüft",
                    "haerte": rng.random() < kind.p("haerte")}
        raise EngineError(f"Für die Aufgabe {element} kennt die Projektion keine Antworten.")

    def next_kind(self, client: _Client, contact: str) -> str:
        if contact == "praesenz" or client.rng.random() >= client.kind.p("telefonisch"):
            return "folgetermin_praesenz"
        return "folgetermin_telefon"

    def session_form(self, client: _Client, element: str) -> dict[str, Any]:
        rng, kind, today = client.rng, client.kind, self.today
        first = element == "Task_Erstgespraech"
        if kind.ausnahme != "keine":
            outcome, cooperative = "ausnahme_rueckmeldung", rng.random() < kind.p("kooperiert")
        elif rng.random() < kind.p("kooperiert"):
            outcome, cooperative = "plan_vereinbart", True
        else:
            outcome, cooperative = _weighted(rng, kind.weights["ohne_plan"]), False
        in_person = first or client.next_kind != "folgetermin_telefon"
        form: dict[str, Any] = {
            "gespraechsart": "praesenz" if in_person else "telefon", "ergebnis": outcome,
            "kooperationsbereit": cooperative, "integrationsnah": kind.integrationsnah,
            "erwerbsminderungPruefung": kind.erwerbsminderung, "ohneVeraenderungsperspektive": kind.ohne_perspektive,
            "ausnahme": kind.ausnahme if outcome == "ausnahme_rueckmeldung" else "keine",
            "notiz": rng.choice(_NOTES)}
        if first:
            form.update(ausgangssituation="Ausgangssituation und Themen geklärt",
                        potenzialanalyse="Wille und Ressourcen erkundet")
        # What the case fields become after the session (the action the diagram runs), then the tables.
        phase = update_case({"ergebnis": outcome}, self.clock).get("anfangsphase", client.initial_phase)
        client.initial_phase = bool(phase)
        client.density = self.density({**form, "anfangsphase": client.initial_phase})
        interval, contact = client.density
        if outcome == "plan_vereinbart":
            client.pending_plan = self.draw_plan(client)
            checks = [step["wiedervorlage"] or step["faellig"] for step in client.pending_plan["schritte"]]
            form.update(naechsterKontakt="wiedervorlage", naechsterKontaktAm=min(checks))
            client.next_kind = "folgetermin_praesenz"
        else:
            client.next_kind = self.next_kind(client, contact)
            form.update(naechsterKontakt=client.next_kind,
                        naechsterKontaktAm=_workday(today + timedelta(days=interval)).isoformat())
        return form

    def draw_plan(self, client: _Client) -> dict[str, Any]:
        rng, kind, today = client.rng, client.kind, self.today
        term = str(_weighted(rng, kind.weights["planlaufzeit"]))
        term_days = max(20, (add_duration(_noon(today), term).date() - today).days)
        steps = []
        for _ in range(int(_weighted(rng, kind.weights["schritte_je_plan"]))):
            due = _workday(today + timedelta(days=rng.randint(max(10, term_days * 35 // 100), term_days - 5)))
            follow_up = None
            if rng.random() < 0.3 and (due - today).days > 14:
                follow_up = _workday(today + timedelta(days=rng.randint(7, (due - today).days - 5))).isoformat()
            steps.append({"beschreibung": rng.choice(_STEPS), "verantwortlich": "elb", "faellig": due.isoformat(),
                          "wiedervorlage": follow_up})
        return {"planZiel": rng.choice(_GOALS), "planLaufzeit": term, "eigenbemuehungen": None, "schritte": steps}

    @staticmethod
    def after(client: _Client, element: str, form: Mapping[str, Any]) -> None:
        """Keep the driver's copy of the plan's open steps (which step the next check is about)."""
        if element == "Task_Kooperationsplan":
            client.steps = {number: date.fromisoformat(step["wiedervorlage"] or step["faellig"])
                            for number, step in enumerate(form["schritte"], start=1)}
        elif element == "Task_SchrittPruefen" and form["schrittErledigt"]:
            client.steps.pop(form["schrittNr"], None)
        elif element == "Task_GruendeBesprechen" and client.checked_step is not None:
            if form["schrittEntscheidung"] == "aufforderung":
                client.steps.pop(client.checked_step, None)
                client.demand_basis = "par15abs5"
            else:
                client.steps[client.checked_step] = date.fromisoformat(form["neueFrist"])

    # ------------------------------------------------------------------ counting

    def week_of(self, moment: datetime) -> int:
        return (_berlin_day(moment) - self.job.start).days // 7

    def count(self) -> None:
        """The weekly figures from the run's database: sessions, demands, reductions, missed appointments."""
        partial = self.partial
        with self.database.engine.connect() as connection:
            for counsellor, held_at, session_kind in connection.execute(text(
                    "SELECT counsellor, held_at, kind FROM counselling_sessions")):
                slot = (self.week_of(_utc(held_at)), str(counsellor), str(session_kind))
                partial.sessions[slot] = partial.sessions.get(slot, 0) + 1
            for (at,) in connection.execute(text(
                    "SELECT at FROM events WHERE kind = 'aufgabe_erledigt' AND element_id = 'Task_AfErstellen'")):
                week = self.week_of(_utc(at))
                partial.demands[week] = partial.demands.get(week, 0) + 1
            for at, element in connection.execute(text(
                    "SELECT e.at, j.value FROM events e, json_each(e.data, '$.durchlaufen') j "
                    "WHERE e.data LIKE '%MinderungErfassen%' AND j.value IN "
                    "('Task_MvMinderungErfassen', 'Task_AfMinderungErfassen')")):
                key = (self.week_of(_utc(at)), REDUCTION_ELEMENTS[element])
                partial.reductions[key] = partial.reductions.get(key, 0) + 1
            for (at,) in connection.execute(text(
                    "SELECT at FROM events WHERE kind = 'nachricht_zugestellt' "
                    "AND json_extract(data, '$.nachricht') = 'Meldeversaeumnis'")):
                week = self.week_of(_utc(at))
                partial.missed[week] = partial.missed.get(week, 0) + 1



def _utc(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _open_steps(steps: Any) -> dict[int, date]:
    result: dict[int, date] = {}
    for step in steps or ():
        if step.get("status") == "offen":
            check = step.get("wiedervorlage") or step["faellig"]
            result[int(step["nr"])] = check if isinstance(check, date) else date.fromisoformat(str(check))
    return result


def _simulate(job: _Job) -> _Partial:
    began = timer.process_time()
    # A batch run builds millions of short-lived task objects: collect garbage less often. Measured on
    # 1,000 case-years with 2 workers: 65.9 s before, 52-58 s after, with identical results.
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, 20, 20)
    try:
        partial = _Simulation(job).run()
    finally:
        gc.set_threshold(*thresholds)
    partial.cpu_seconds = timer.process_time() - began
    return partial


# ---------------------------------------------------------------------------------------------- the run


def plan_terms(documents: Mapping[str, Document]) -> tuple[str, ...] | None:
    """The plan terms the form »Kooperationsplan vereinbaren« offers, as the diagram declares them."""
    for document in documents.values():
        for process in document.processes.values():
            task = process.user_tasks.get("Task_Kooperationsplan")
            term = task.field("planLaufzeit") if task is not None else None
            if term is not None and term.options:
                return tuple(value for value, _ in term.options)
    return None


def run_projection(behaviour_path: Path, cases: int, months: int, ifk: int, seed: int, processes: Path,
                   workers: int = 2, start: date | None = None) -> ProjectionResult:
    """Project a caseload: `cases` cases over `months` months, dealt to `ifk` counsellors in turn.

    Raises ScenarioError (file:line, German) for a faulty behaviour file and EngineError for faulty
    diagrams or arguments. `start` (else `beginn` in the file, else 2025-03-03) is moved to its Monday.
    """
    began = timer.perf_counter()
    if cases < 1 or months < 1 or ifk < 1 or workers < 1:
        raise EngineError("Fälle, Monate, IFK und Worker müssen jeweils mindestens 1 sein.")
    documents, findings = load_files([processes])
    if findings:
        raise EngineError("Die Diagramme haben Befunde: " + "; ".join(map(str, findings)))
    behaviour = load_behaviour(behaviour_path, plan_terms(documents))
    first = start or behaviour.start or DEFAULT_START
    monday = first - timedelta(days=first.weekday())
    end = monday + relativedelta(months=months)
    weeks = -(-(end - monday).days // 7)
    workers = min(workers, cases)
    jobs = [_Job(behaviour, str(processes.resolve()), monday, weeks * 7, cases, ifk, seed, worker, workers)
            for worker in range(workers)]
    if workers == 1:
        partials = [_simulate(jobs[0])]
    else:
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            partials = pool.map(_simulate, jobs)
    result = _merge(behaviour, partials, cases=cases, months=months, ifk=ifk, seed=seed, workers=workers,
                    start=monday, weeks=weeks)
    result.seconds = timer.perf_counter() - began
    result.worker_cpu_seconds = [round(partial.cpu_seconds, 2) for partial in partials]
    return result


def _merge(behaviour: Behaviour, partials: Sequence[_Partial], *, cases: int, months: int, ifk: int, seed: int,
           workers: int, start: date, weeks: int) -> ProjectionResult:
    counsellors = [f"ifk-{number}" for number in range(1, ifk + 1)]
    rows = [WeekRow(week + 1, start + timedelta(days=7 * week), dict.fromkeys(counsellors, 0))
            for week in range(weeks)]
    types: Counter[str] = Counter()
    problems: list[tuple[int, str]] = []
    commands = timers_fired = 0
    for partial in partials:
        for (week, counsellor, kind), count in partial.sessions.items():
            if 0 <= week < weeks:
                row = rows[week]
                row.sessions_per_ifk[counsellor] = row.sessions_per_ifk.get(counsellor, 0) + count
                if kind == "telefon":
                    row.by_phone += count
                else:
                    row.in_person += count
        for week, count in partial.demands.items():
            if 0 <= week < weeks:
                rows[week].demands += count
        for (week, kind), count in partial.reductions.items():
            if 0 <= week < weeks:
                if kind == "meldeversaeumnis":
                    rows[week].reductions_missed_appointment += count
                else:
                    rows[week].reductions_breach += count
        for week, count in partial.missed.items():
            if 0 <= week < weeks:
                rows[week].missed_appointments += count
        for week, (count, pending) in partial.without_contact.items():
            if 0 <= week < weeks:
                rows[week].without_next_contact += count
                rows[week].without_next_contact_timer_pending += pending
        types.update(partial.types)
        problems.extend(partial.problems)
        commands += partial.commands
        timers_fired += partial.timers_fired
    per_ifk = [count for row in rows for count in row.sessions_per_ifk.values()]
    second_half = rows[len(rows) // 2:]
    summary = Summary(
        case_years=round(cases * months / 12, 2), weeks=weeks, caseload_per_ifk=round(cases / ifk, 1),
        sessions_per_ifk_week=round(sum(per_ifk) / len(per_ifk), 2) if per_ifk else 0.0,
        sessions_per_ifk_week_second_half=round(sum(row.mean_per_ifk for row in second_half) / len(second_half), 2)
        if second_half else 0.0,
        sessions_per_ifk_week_max=max(per_ifk, default=0),
        weeks_below_minimum=sum(1 for row in rows if row.mean_per_ifk < MINIMUM_SESSIONS),
        sessions=sum(row.sessions for row in rows), demands=sum(row.demands for row in rows),
        reductions=sum(row.reductions for row in rows),
        reductions_missed_appointment=sum(row.reductions_missed_appointment for row in rows),
        reductions_breach=sum(row.reductions_breach for row in rows),
        missed_appointments=sum(row.missed_appointments for row in rows),
        without_next_contact_mean=round(sum(row.without_next_contact for row in rows) / len(rows), 1) if rows else 0.0,
        without_next_contact_last=rows[-1].without_next_contact if rows else 0,
        types=dict(sorted(types.items())), commands=commands, timers_fired=timers_fired)
    return ProjectionResult(behaviour.name, behaviour.file, cases, months, ifk, seed, workers, start,
                            start + timedelta(days=7 * weeks - 1), rows, summary,
                            [text for _, text in sorted(problems)])


# ---------------------------------------------------------------------------------------------- output


def as_json(result: ProjectionResult) -> dict[str, Any]:
    """The result as plain JSON values (dates as ISO strings)."""
    return {
        "behaviour": result.behaviour, "file": result.file, "cases": result.cases, "months": result.months,
        "ifk": result.ifk, "seed": result.seed, "workers": result.workers, "start": result.start.isoformat(),
        "end": result.end.isoformat(), "seconds": round(result.seconds, 2),
        "worker_cpu_seconds": result.worker_cpu_seconds, "minimum_sessions": MINIMUM_SESSIONS,
        "summary": asdict(result.summary),
        "weeks": [{"week": row.week, "monday": row.monday.isoformat(), "sessions": row.sessions,
                   "sessions_per_ifk": row.sessions_per_ifk, "mean_per_ifk": round(row.mean_per_ifk, 2),
                   "in_person": row.in_person, "by_phone": row.by_phone, "demands": row.demands,
                   "reductions": row.reductions, "reductions_missed_appointment": row.reductions_missed_appointment,
                   "reductions_breach": row.reductions_breach, "missed_appointments": row.missed_appointments,
                   "without_next_contact": row.without_next_contact,
                   "without_next_contact_timer_pending": row.without_next_contact_timer_pending}
                  for row in result.weeks],
        "problems": result.problems,
    }


def summary_lines(result: ProjectionResult) -> list[str]:
    """A short German summary for the command line."""
    summary = result.summary
    lines = [
        f"Projektion »{result.behaviour}«: {result.cases} Fälle, {result.months} Monate ({summary.case_years:g} "
        f"Falljahre), {result.ifk} IFK ({summary.caseload_per_ifk:g} Fälle je IFK), {result.start:%d.%m.%Y} bis "
        f"{result.end:%d.%m.%Y}, Seed {result.seed}",
        "Typen: " + ", ".join(f"{name}: {count}" for name, count in summary.types.items()),
        f"Beratungsgespräche je IFK und Woche: Mittel {summary.sessions_per_ifk_week:.1f} (zweite Hälfte "
        f"{summary.sessions_per_ifk_week_second_half:.1f}), höchstens {summary.sessions_per_ifk_week_max}; "
        f"Mindestwert {MINIMUM_SESSIONS} je VZÄ in {summary.weeks_below_minimum} von {summary.weeks} Wochen "
        "unterschritten",
        f"Aufforderungen: {summary.demands}; Minderungen: {summary.reductions} (Meldeversäumnis "
        f"{summary.reductions_missed_appointment}, Pflichtverletzung {summary.reductions_breach}); "
        f"Meldeversäumnisse: {summary.missed_appointments}",
        f"Fälle ohne nächsten Kontakt am Wochenende: im Mittel {summary.without_next_contact_mean:g}, zuletzt "
        f"{summary.without_next_contact_last}",
        f"{summary.commands} Befehle, davon {summary.timers_fired} Zeitereignisse; {result.seconds:.1f} s mit "
        f"{result.workers} Worker(n) (Rechenzeit je Worker: "
        + ", ".join(f"{seconds:.1f} s" for seconds in result.worker_cpu_seconds) + ")",
    ]
    if result.problems:
        lines.append(f"{len(result.problems)} Fälle abgebrochen, z. B. {result.problems[0]}")
    return lines


def write_plot(result: ProjectionResult, path: Path) -> None:
    """An SVG chart: sessions per IFK and week (mean, range, minimum) above; demands, reductions and
    cases without a next contact below."""
    path.write_text(plot_svg(result), encoding="utf-8")


def plot_svg(result: ProjectionResult) -> str:
    width, height, left, right = 960, 640, 70, 80
    top_panel, bottom_panel = (60, 280), (360, 580)  # y from, y to
    rows = result.weeks
    count = max(1, len(rows))
    inner = width - left - right
    step = inner / count

    def x(index: float) -> float:
        return left + step * (index + 0.5)

    def scale(value: float, top: float, panel: tuple[int, int]) -> float:
        low, high = panel
        return high - (high - low) * (value / top if top else 0.0)

    def nice(value: float) -> float:
        for candidate in (5, 10, 20, 25, 40, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
            if value <= candidate:
                return float(candidate)
        return float(int(value) + 1)

    parts: list[str] = []
    add = parts.append
    title = (f"Fallbestandsprojektion »{result.behaviour}«: {result.cases} Fälle, {result.ifk} IFK, "
             f"{result.months} Monate ab {result.start:%d.%m.%Y} (Seed {result.seed})")
    add(f'<text x="{left}" y="28" font-size="16" font-weight="bold">{_esc(title)}</text>')
    # Top panel: sessions per IFK and week.
    highs = [max(row.sessions_per_ifk.values(), default=0) for row in rows]
    lows = [min(row.sessions_per_ifk.values(), default=0) for row in rows]
    means = [row.mean_per_ifk for row in rows]
    top = nice(max([*highs, MINIMUM_SESSIONS, 1]) * 1.1)
    add(f'<text x="{left}" y="{top_panel[0] - 10}" font-size="13">Beratungsgespräche je IFK und Woche '
        '(Mittel, Spanne der IFK, Mindestwert je VZÄ)</text>')
    _axis(parts, left, width - right, top_panel, top, scale)
    if rows:
        band = [f"{x(i):.1f},{scale(high, top, top_panel):.1f}" for i, high in enumerate(highs)]
        band += [f"{x(i):.1f},{scale(low, top, top_panel):.1f}" for i, low in reversed(list(enumerate(lows)))]
        add(f'<polygon points="{" ".join(band)}" fill="#9ecae1" fill-opacity="0.45" stroke="none"/>')
        line = " ".join(f"{x(i):.1f},{scale(mean, top, top_panel):.1f}" for i, mean in enumerate(means))
        add(f'<polyline points="{line}" fill="none" stroke="#08519c" stroke-width="2"/>')
    minimum = scale(MINIMUM_SESSIONS, top, top_panel)
    add(f'<line x1="{left}" y1="{minimum:.1f}" x2="{width - right}" y2="{minimum:.1f}" stroke="#b3261e" '
        'stroke-width="1.5" stroke-dasharray="6 4"/>')
    add(f'<text x="{width - right + 4}" y="{minimum + 4:.1f}" font-size="11" fill="#b3261e">'
        f'{MINIMUM_SESSIONS} je VZÄ</text>')
    # Bottom panel: demands and reductions (bars), cases without next contact (line, right axis).
    bar_top = nice(max([max(row.demands, row.reductions) for row in rows] + [1]) * 1.1)
    contact_top = nice(max([row.without_next_contact for row in rows] + [1]) * 1.1)
    add(f'<text x="{left}" y="{bottom_panel[0] - 10}" font-size="13">Aufforderungen und Minderungen je Woche '
        '(Balken, links); Fälle ohne nächsten Kontakt am Wochenende (Linie, rechts)</text>')
    _axis(parts, left, width - right, bottom_panel, bar_top, scale)
    bar = max(1.0, step * 0.38)
    for index, row in enumerate(rows):
        for offset, value, colour in ((-bar, row.demands, "#fd8d3c"), (0.0, row.reductions, "#6a51a3")):
            if value:
                y = scale(value, bar_top, bottom_panel)
                add(f'<rect x="{x(index) + offset:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                    f'height="{bottom_panel[1] - y:.1f}" fill="{colour}"/>')
    if rows:
        line = " ".join(f"{x(i):.1f},{scale(row.without_next_contact, contact_top, bottom_panel):.1f}"
                        for i, row in enumerate(rows))
        add(f'<polyline points="{line}" fill="none" stroke="#238b45" stroke-width="2"/>')
    for tick in range(5):
        label = contact_top * tick / 4
        y = scale(label, contact_top, bottom_panel)
        add(f'<text x="{width - right + 6}" y="{y + 4:.1f}" font-size="11" fill="#238b45">{label:g}</text>')
    # Week labels under both panels.
    every = max(1, round(count / 12))
    for index, row in enumerate(rows):
        if index % every == 0:
            for panel in (top_panel, bottom_panel):
                add(f'<text x="{x(index):.1f}" y="{panel[1] + 16}" font-size="10" text-anchor="middle">'
                    f'{row.monday:%d.%m.}</text>')
    legend = (("#08519c", "Mittel je IFK"), ("#9ecae1", "Spanne der IFK"), ("#b3261e", "Mindestwert"),
              ("#fd8d3c", "Aufforderungen"), ("#6a51a3", "Minderungen"), ("#238b45", "ohne nächsten Kontakt"))
    for number, (colour, caption) in enumerate(legend):
        lx = left + number * 140
        add(f'<rect x="{lx}" y="{height - 28}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{lx + 17}" y="{height - 18}" font-size="12">{_esc(caption)}</text>')
    body = "\n".join(parts)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif">\n'
            f'<title>{_esc(title)}</title>\n<rect width="100%" height="100%" fill="white"/>\n{body}\n</svg>\n')


def _axis(parts: list[str], x0: float, x1: float, panel: tuple[int, int], top: float, scale: Any) -> None:
    for tick in range(5):
        value = top * tick / 4
        y = scale(value, top, panel)
        parts.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x1}" y2="{y:.1f}" stroke="#dde" stroke-width="1"/>')
        parts.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{value:g}</text>')
    parts.append(f'<line x1="{x0}" y1="{panel[0]}" x2="{x0}" y2="{panel[1]}" stroke="#445" stroke-width="1"/>')


def _esc(value: str) -> str:
    return html.escape(value, quote=True)


def dumps(result: ProjectionResult) -> str:
    return json.dumps(as_json(result), ensure_ascii=False, indent=2)
