"""The caseload driver's answer table: when simulated counsellors work each task and what they enter.

It also says when the client sends what a waiting event expects. Every task the diagrams can open is
named here once, for the projection and the demo alike; a task this table does not know stops its case
with a problem report naming the task. How the counsellors behave (so that the figures can be read):
- Sessions (Erstgespräch, Beratungsgespräch, Überprüfung des Kooperationsplans) take place on the agreed
  day (the task's Wiedervorlage); an agreed day that has passed is replaced by a new invitation in
  7-14 days. The next contact is set by the contact density the decision tables `Prioritaetsgruppe`
  and `Kontaktdichte` give for the session's answers; when a plan is agreed, the next contact is the
  Wiedervorlage of its first step (the process itself holds no session while the plan runs).
- Office tasks (checks, demands, hearings, decisions) are done within a few working days; with
  `bleibt_liegen` some are left lying for one to two and a half weeks.
- Client and counsellor choices come from the behaviour file (behaviour.py), free texts from its `texte`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from engine.domain.actions import deadline_end, update_case
from engine.domain.workdays import is_working_day
from engine.runtime import dmn
from engine.runtime.clock import Clock, berlin_date, berlin_midnight
from engine.runtime.durations import add_duration
from engine.runtime.errors import EngineError
from engine.runtime.model import Document
from engine.simulation.projection.behaviour import ClientType

SESSION_TASKS = frozenset({"Task_Erstgespraech", "Task_Beratungsgespraech"})
# Sessions where a missed appointment can be reported (the diagram has the message boundary there).
MISSABLE = SESSION_TASKS
REVIEW = "Task_PlanUeberpruefen"
PLAN = "Task_Kooperationsplan"
PLAN_UPDATE = "Task_PlanAktualisieren"  # the exception's plan update: the plan form without a term
def working_day_near(rng: random.Random, day: date, today: date) -> date:
    """The day a counsellor agrees for a contact around `day`: one of the working days up to two days
    before or after it (never today or earlier), drawn at random, as a counsellor picks a free day in that
    week. Moving days off the weekend to the next working day, as a legal deadline moves, and then keeping
    the weekday with intervals of whole weeks, piled the sessions onto Mondays: three times as many as on
    any other day in the demo calendar."""
    days = [near for near in (day + timedelta(days=shift) for shift in range(-2, 3))
            if near > today and is_working_day(near)]
    return rng.choice(days) if days else deadline_end(day)


# Office tasks: how many working days after they open the counsellor does them (low, high).
OFFICE_DAYS: dict[str, tuple[int, int]] = {
    PLAN: (0, 0), "Task_SchritteFestlegen": (0, 0), "Task_SchlichtungAnbieten": (0, 0), PLAN_UPDATE: (1, 7),
    "Task_SchrittPruefen": (0, 3), "Task_GruendeBesprechen": (2, 7), "Task_RueckmeldungAuswerten": (1, 7),
    "Task_SlErgebnis": (0, 3), "Task_MvPruefen": (1, 3), "Task_MvBescheid": (1, 5), "Task_MvUnerreichbar": (1, 3),
    "Task_MvEinladen": (0, 1), "Task_AfErstellen": (0, 3), "Task_NachweisPruefen": (0, 3),
    "Task_AnhoerungEinleiten": (0, 3), "Task_GrundPruefen": (1, 5), "Task_AfBescheid": (1, 5),
    "Task_MvAnhoerung": (0, 3), "Task_MvUnerreichbarAnhoerung": (0, 3), "Task_MvStellungnahme": (1, 5),
    "Task_AufhebungPruefen": (0, 3), "Task_MvWiederErreichbar": (0, 1), "Task_MvLeistungenEinstellen": (0, 3),
}
# An office task the counsellor leaves lying (`bleibt_liegen` in the behaviour file): done after so many working days.
LEFT_LYING = (6, 12)
# Messages the client (or the conciliation board) sends, and the timer they race against.
MESSAGES = {"NachweisEingegangen": frozenset({"Event_AfFrist"}),
            "StellungnahmeEingegangen": frozenset({"Event_AnhoerungFrist", "Event_MvAnhoerungFrist"}),
            "SchlichtungBeendet": frozenset({"Event_SlFrist"})}
MISSED_APPOINTMENT = "Meldeversaeumnis"
# What the counsellor does with a planned task: work it; or the client stays away without notice, or
# cancels in time (a new appointment).
WORK, MISSED, POSTPONED = "erledigen", "versaeumt", "verschoben"
DENSITY_INPUTS = ("anfangsphase", "ausnahme", "ohneVeraenderungsperspektive", "erwerbsminderungPruefung",
                  "integrationsnah", "kooperationsbereit")


@dataclass
class CaseNotes:
    """What the simulated counsellor knows about one case beyond what the engine holds."""

    kind: ClientType
    rng: random.Random
    steps: dict[int, date] = field(default_factory=dict)  # open plan steps: number -> check day
    checked_step: int | None = None
    pending_plan: dict[str, Any] | None = None
    initial_phase: bool = True
    next_kind: str = "folgetermin_praesenz"
    density: tuple[int, str] = (28, "praesenz_oder_telefon")
    demand_basis: str = "par15abs6"
    missed_on: date | None = None
    agreement: bool | None = None


def weighted(rng: random.Random, choices: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([value for value, _ in choices], [weight for _, weight in choices])[0]


def chosen(rng: random.Random, choices: Sequence[tuple[Any, float]]) -> Any:
    """Like `weighted`, but a single choice is taken without a draw, so adding a choice that a behaviour
    file leaves at its default does not shift the random draws of the rest (projections stay as they were)."""
    return choices[0][0] if len(choices) == 1 else weighted(rng, choices)


def happens(rng: random.Random, probability: float) -> bool:
    """True with the probability; certainty (1) takes no draw, for the same reason as `chosen`."""
    return probability >= 1 or rng.random() < probability


def read_decisions(documents: Mapping[str, Document]) -> dict[str, dmn.DeployedDecision]:
    return dmn.decisions_of(documents.values())


def plan_terms(documents: Mapping[str, Document]) -> tuple[str, ...] | None:
    """The plan terms the form »Kooperationsplan vereinbaren« offers, as the diagram declares them."""
    for document in documents.values():
        for process in document.processes.values():
            task = process.user_tasks.get(PLAN)
            term = task.field("planLaufzeit") if task is not None else None
            if term is not None and term.options:
                return tuple(value for value, _ in term.options)
    return None


class Counsellor:
    """The simulated counsellors' side: when a task is worked and what they enter.

    `read_form(task_id)` gives the data a task's form shows (the plan's steps when the driver has no copy).
    """

    def __init__(self, decisions: Mapping[str, dmn.DeployedDecision], clock: Clock,
                 texts: Mapping[str, tuple[str, ...]], read_form: Callable[[str], Mapping[str, Any]]) -> None:
        self.decisions, self.clock, self.texts, self.read_form = decisions, clock, texts, read_form
        self._densities: dict[tuple[Any, ...], tuple[int, str]] = {}

    def text(self, rng: random.Random, key: str) -> str:
        options = self.texts[key]
        return options[0] if len(options) == 1 else rng.choice(options)

    # ------------------------------------------------------------------ when

    def plan(self, notes: CaseNotes, element: str, created: datetime, follow_up: datetime | None,
             today: date) -> tuple[date, str]:
        """The day the counsellor works this task and, for a session, whether the client turns up."""
        rng = notes.rng
        if element in SESSION_TASKS or element == REVIEW:
            day: date | None = berlin_date(follow_up) if follow_up is not None else None
            if element == REVIEW:  # the review is agreed when the plan's term is over or all steps are done
                day = berlin_date(created) + timedelta(days=rng.randint(3, 10))
            # the agreed day has passed, or it is the appointment just missed (the session stays open beside
            # the missed appointment's path): invite anew
            if day is None or day < today or (notes.missed_on is not None and day <= notes.missed_on):
                day = today + timedelta(days=rng.randint(7, 14))
            return working_day_near(rng, day, today), self.attendance(notes, element)
        if element not in OFFICE_DAYS:
            raise EngineError(f"Für die Aufgabe {element} kennt die Simulation keine Antworten.")
        low, high = OFFICE_DAYS[element]
        left = notes.kind.p("bleibt_liegen")
        # Only what is not done in the conversation itself lies; no draw at 0, so that files without
        # `bleibt_liegen` keep their random sequence.
        if high and left and rng.random() < left:
            low, high = LEFT_LYING
        day = today
        for _ in range(rng.randint(low, high)):
            day = deadline_end(day + timedelta(days=1))
        return day, WORK

    @staticmethod
    def attendance(notes: CaseNotes, element: str) -> str:
        kind, rng = notes.kind, notes.rng
        if rng.random() < kind.p("erscheint"):
            return WORK
        if element in MISSABLE and rng.random() < kind.p("versaeumt_termin"):
            return MISSED
        return POSTPONED

    def postponed(self, notes: CaseNotes, element: str, today: date) -> tuple[date, str]:
        """Cancelled in time: a new appointment in one to two weeks."""
        day = working_day_near(notes.rng, today + timedelta(days=notes.rng.randint(7, 14)), today)
        return day, self.attendance(notes, element)

    @staticmethod
    def message_day(notes: CaseNotes, name: str, deadline: datetime | None, today: date) -> date | None:
        """When the client's proof or statement, or the end of conciliation, arrives before its deadline; None
        if it does not."""
        days = (berlin_date(deadline) - today).days - 1 if deadline is not None else 0
        kind, rng = notes.kind, notes.rng
        if name == "NachweisEingegangen":
            sends = rng.random() < kind.p("nachweis_bei_aufforderung")
        elif name == "StellungnahmeEingegangen":
            sends = rng.random() < kind.p("stellungnahme")
        else:  # conciliation: an agreement usually ends it before the four weeks are over
            notes.agreement = rng.random() < kind.p("kooperiert")
            sends = notes.agreement
        if sends and days >= 1:
            return today + timedelta(days=rng.randint(1, days))
        return None

    # ------------------------------------------------------------------ what

    def form(self, notes: CaseNotes, element: str, task_id: str, today: date) -> dict[str, Any]:
        rng, kind = notes.rng, notes.kind

        def in_days(low: int, high: int) -> str:
            return working_day_near(rng, today + timedelta(days=rng.randint(low, high)), today).isoformat()

        if element in SESSION_TASKS:
            return self.session_form(notes, element, today)
        if element == REVIEW:
            interval, contact = notes.density
            in_person = contact == "praesenz" or rng.random() >= kind.p("telefonisch")
            notes.next_kind = next_kind = self.next_kind(notes, contact)
            return {"ueberpruefung": self.text(rng, "ueberpruefungen"),
                    "gespraechsart": "praesenz" if in_person else "telefon", "naechsterKontakt": next_kind,
                    "naechsterKontaktAm": working_day_near(rng, today + timedelta(days=interval), today).isoformat()}
        if element == PLAN:
            plan, notes.pending_plan = notes.pending_plan or self.draw_plan(notes, today), None
            return plan
        if element == "Task_SchrittPruefen":
            if not notes.steps:  # not our copy of the plan: read the steps the instance holds
                notes.steps = _open_steps(self.read_form(task_id).get("schritte"))
            number = min(notes.steps, key=lambda nr: (notes.steps[nr], nr))
            notes.checked_step = number
            return {"schrittNr": number, "schrittErledigt": rng.random() < kind.p("setzt_schritte_um"),
                    "notiz": self.text(rng, "notizen")}
        if element == "Task_GruendeBesprechen":
            decision = weighted(rng, kind.weights["schritt_nicht_umgesetzt"])
            return {"gruende": self.text(rng, "gruende"), "schrittEntscheidung": decision,
                    "neueFrist": None if decision == "aufforderung" else in_days(14, 28),
                    "schrittBeschreibung": self.text(rng, "schritte") if decision == "anpassen" else None}
        if element == "Task_RueckmeldungAuswerten":
            return {"rueckmeldung": self.text(rng, "rueckmeldungen"),
                    "rueckmeldungEntscheidung": weighted(rng, kind.weights["rueckmeldung"]),
                    "naechsterKontaktAm": in_days(14, 28)}
        if element == "Task_SchritteFestlegen":  # the list of steps the plan form takes too
            return {"schritte": [{"beschreibung": self.text(rng, "schritte"), "verantwortlich": "elb",
                                  "faellig": in_days(14, 28), "wiedervorlage": None}],
                    "planDochVereinbart": rng.random() < kind.p("kooperiert")}
        if element == PLAN_UPDATE:
            return {key: value for key, value in self.draw_plan(notes, today).items() if key != "planLaufzeit"}
        if element == "Task_SchlichtungAnbieten":
            return {"schlichtungGewuenscht": rng.random() < kind.p("schlichtung_gewuenscht")}
        if element == "Task_SlErgebnis":
            agreed = notes.agreement if notes.agreement is not None else rng.random() < kind.p("kooperiert")
            notes.agreement = None
            return {"einigung": agreed}
        if element == "Task_MvPruefen":
            reason = rng.random() < kind.p("wichtiger_grund")
            return {"terminAm": (notes.missed_on or today).isoformat(),
                    "einladungMitRfb": happens(rng, kind.p("einladung_mit_rfb")),
                    "wichtigerGrund": reason,
                    "grundBeschreibung": self.text(rng, "grund_meldeversaeumnis") if reason else None,
                    "haerte": rng.random() < kind.p("haerte")}
        if element in {"Task_MvBescheid", "Task_AfBescheid"}:
            return {"bescheidAm": today.isoformat()}
        if element == "Task_MvUnerreichbar":
            return {"feststellungAm": today.isoformat()}
        if element == "Task_MvWiederErreichbar":
            return {"gemeldetAm": today.isoformat()}
        if element == "Task_MvLeistungenEinstellen":
            return {"eingestelltAm": today.isoformat()}
        if element == "Task_MvEinladen":
            return {"naechsterKontaktAm": in_days(7, 14), "einladungMitRfb": True}
        if element == "Task_AfErstellen":
            basis, notes.demand_basis = notes.demand_basis, "par15abs6"
            return {"rechtsgrundlage": basis, "aufforderungSchritt": self.text(rng, "schritte"),
                    "aufforderungFrist": in_days(14, 21), "nachweisArt": self.text(rng, "nachweise")}
        if element == "Task_NachweisPruefen":
            return {"schrittErfuellt": True}  # the proof of a done step arrived
        if element in {"Task_AnhoerungEinleiten", "Task_MvAnhoerung", "Task_MvUnerreichbarAnhoerung"}:
            return {"anhoerungFrist": in_days(14, 14), "anhoerungPersoenlich": False}
        if element in {"Task_GrundPruefen", "Task_MvStellungnahme"}:
            reason = rng.random() < kind.p("wichtiger_grund")
            return {"wichtigerGrund": reason, "grundBeschreibung": self.text(rng, "grund_anhoerung"),
                    "haerte": rng.random() < kind.p("haerte")}
        if element == "Task_AufhebungPruefen":
            return {"erfuelltAm": today.isoformat(), "aufhebungBegruendung": self.text(rng, "nachweise")}
        raise EngineError(f"Für die Aufgabe {element} kennt die Simulation keine Antworten.")

    def density(self, answers: Mapping[str, Any]) -> tuple[int, str]:
        """The contact interval and kind the decision tables give for these session answers."""
        key = tuple(answers.get(name) for name in DENSITY_INPUTS)
        cached = self._densities.get(key)
        if cached is None:
            inputs = dict(zip(DENSITY_INPUTS, key, strict=True))
            group = dmn.evaluate(self.decisions, "Prioritaetsgruppe", inputs).value
            value = dmn.evaluate(self.decisions, "Kontaktdichte", {"prioritaetsgruppe": group}).value
            assert isinstance(value, dict)
            cached = self._densities[key] = (int(value["kontaktAbstandTage"]), str(value["kontaktart"]))
        return cached

    @staticmethod
    def next_kind(notes: CaseNotes, contact: str) -> str:
        if contact == "praesenz" or notes.rng.random() >= notes.kind.p("telefonisch"):
            return "folgetermin_praesenz"
        return "folgetermin_telefon"

    def session_form(self, notes: CaseNotes, element: str, today: date) -> dict[str, Any]:
        rng, kind = notes.rng, notes.kind
        first = element == "Task_Erstgespraech"
        if kind.ausnahme != "keine":
            outcome, cooperative = "ausnahme_rueckmeldung", rng.random() < kind.p("kooperiert")
        elif rng.random() < kind.p("kooperiert"):
            outcome, cooperative = "plan_vereinbart", True
        else:
            outcome, cooperative = weighted(rng, kind.weights["ohne_plan"]), False
        in_person = first or notes.next_kind != "folgetermin_telefon"
        form: dict[str, Any] = {
            "gespraechsart": "praesenz" if in_person else "telefon", "ergebnis": outcome,
            "kooperationsbereit": cooperative, "integrationsnah": kind.integrationsnah,
            "erwerbsminderungPruefung": kind.erwerbsminderung, "ohneVeraenderungsperspektive": kind.ohne_perspektive,
            "ausnahme": kind.ausnahme if outcome == "ausnahme_rueckmeldung" else "keine",
            "notiz": self.text(rng, "notizen")}
        if first:
            form.update(ausgangssituation=self.text(rng, "ausgangssituation"),
                        potenzialanalyse=self.text(rng, "potenzial"))
        # What the case fields become after the session (the action the diagram runs), then the tables.
        phase = update_case({"ergebnis": outcome}, self.clock).get("anfangsphase", notes.initial_phase)
        notes.initial_phase = bool(phase)
        notes.density = self.density({**form, "anfangsphase": notes.initial_phase})
        interval, contact = notes.density
        if outcome == "plan_vereinbart":
            notes.pending_plan = self.draw_plan(notes, today)
            checks = [step["wiedervorlage"] or step["faellig"] for step in notes.pending_plan["schritte"]]
            form.update(naechsterKontakt="wiedervorlage", naechsterKontaktAm=min(checks))
            notes.next_kind = "folgetermin_praesenz"
        else:
            notes.next_kind = self.next_kind(notes, contact)
            form.update(naechsterKontakt=notes.next_kind,
                        naechsterKontaktAm=working_day_near(rng, today + timedelta(days=interval),
                                                            today).isoformat())
        return form

    def draw_plan(self, notes: CaseNotes, today: date) -> dict[str, Any]:
        rng, kind = notes.rng, notes.kind
        term = str(weighted(rng, kind.weights["planlaufzeit"]))
        term_days = max(20, (berlin_date(add_duration(berlin_midnight(today), term)) - today).days)
        steps = []
        for _ in range(int(weighted(rng, kind.weights["schritte_je_plan"]))):
            due = deadline_end(today + timedelta(days=rng.randint(max(10, term_days * 35 // 100), term_days - 5)))
            follow_up = None
            if rng.random() < 0.3 and (due - today).days > 14:
                follow_up = deadline_end(today + timedelta(days=rng.randint(7, (due - today).days - 5))).isoformat()
            steps.append({"beschreibung": self.text(rng, "schritte"),
                          "verantwortlich": chosen(rng, kind.weights["verantwortlich"]),
                          "faellig": due.isoformat(), "wiedervorlage": follow_up})
        return {"planZiel": self.text(rng, "ziele"), "planLaufzeit": term, "eigenbemuehungen": None,
                "schritte": steps}

    @staticmethod
    def after(notes: CaseNotes, element: str, form: Mapping[str, Any]) -> None:
        """Keep the counsellor's copy of the plan's open steps (which step the next check is about)."""
        if element == PLAN:
            notes.steps = {number: date.fromisoformat(step["wiedervorlage"] or step["faellig"])
                           for number, step in enumerate(form["schritte"], start=1)}
        elif element == "Task_SchrittPruefen" and form["schrittErledigt"]:
            notes.steps.pop(form["schrittNr"], None)
        elif element == "Task_GruendeBesprechen" and notes.checked_step is not None:
            if form["schrittEntscheidung"] == "aufforderung":
                notes.steps.pop(notes.checked_step, None)
                notes.demand_basis = "par15abs5"
            else:
                notes.steps[notes.checked_step] = date.fromisoformat(form["neueFrist"])


def _open_steps(steps: Any) -> dict[int, date]:
    result: dict[int, date] = {}
    for step in steps or ():
        if step.get("status") == "offen":
            check = step.get("wiedervorlage") or step["faellig"]
            result[int(step["nr"])] = check if isinstance(check, date) else date.fromisoformat(str(check))
    return result
