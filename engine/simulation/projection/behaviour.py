"""Behaviour files (`verhalten:`): how made-up clients behave and what counsellors usually choose, checked.

A behaviour file drives the caseload driver for the projection (processes/scenarios/projektion/) and for
the demo caseload (engine/demo/verhalten.yaml). Errors name file and line in German (ScenarioError).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from engine.domain.labels import RESPONSIBLE
from engine.domain.plan import MAX_STEPS
from engine.runtime.durations import DurationError, parse_duration
from engine.simulation.yamlfile import ScenarioError, YamlFile, read_yaml

Where = tuple[Any, ...]

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
    "bleibt_liegen": 0.0,
    "einladung_mit_rfb": 1.0,
}
WEIGHTS: dict[str, dict[Any, float]] = {
    "planlaufzeit": {"P3M": 60, "P6M": 40},
    "schritte_je_plan": {1: 60, 2: 30, 3: 10},
    "ohne_plan": {"kein_plan": 50, "beratungsunwillig": 40, "beratungsunfaehig": 10},
    "schritt_nicht_umgesetzt": {"weiterer_versuch": 55, "anpassen": 35, "aufforderung": 10},
    "rueckmeldung": {"einladen": 70, "plan_aktualisieren": 30},
    "verantwortlich": {"elb": 1},
}
WEIGHT_CHOICES: dict[str, tuple[Any, ...]] = {
    "verantwortlich": tuple(RESPONSIBLE),
    "ohne_plan": ("kein_plan", "beratungsunwillig", "beratungsunfaehig"),
    "schritt_nicht_umgesetzt": ("weiterer_versuch", "anpassen", "aufforderung"),
    "rueckmeldung": ("einladen", "plan_aktualisieren"),
    "schritte_je_plan": tuple(range(1, MAX_STEPS + 1)),
}
FEATURES = {"integrationsnah": False, "erwerbsminderung": False, "ohne_perspektive": False, "ausnahme": "keine"}
EXCEPTIONS = ("keine", "integriert", "unzumutbar")
SET_KEYS = (*CORE, *OPTIONAL_PROBABILITIES, *WEIGHTS, "merkmale")
# What the counsellors write into free-text fields; one entry is used as it is, from several one is drawn.
TEXTS: dict[str, tuple[str, ...]] = {
    "ausgangssituation": ("Ausgangssituation und Themen geklärt",),
    "potenzial": ("Wille und Ressourcen erkundet",),
    "notizen": ("Stand der Schritte besprochen", "Bewerbungsaktivitäten besprochen",
                "Vermittlungsvorschläge übergeben"),
    "ziele": ("Arbeitsaufnahme im Verkauf", "Beschäftigung in der Lagerlogistik", "Einstieg in die Pflegehilfe",
              "Deutschkurs B1 abschließen", "Teilzeitbeschäftigung in der Gastronomie"),
    "schritte": ("Zwei Bewerbungen pro Woche schreiben", "Lebenslauf mit dem Bewerbungscoaching überarbeiten",
                 "Zum Deutschkurs anmelden", "Vorstellungsgespräch wahrnehmen", "Kita-Platz beantragen",
                 "Termin bei der Schuldnerberatung vereinbaren"),
    "ueberpruefungen": ("Plan überprüft, Schritte besprochen",),
    "gruende": ("Gründe besprochen",),
    "rueckmeldungen": ("Rückmeldung liegt vor",),
    "grund_meldeversaeumnis": ("Attest liegt vor",),
    "grund_anhoerung": ("Stellungnahme geprüft",),
    "nachweise": ("Kopie oder Bestätigung",),
}
INTAKE_KEYS = ("anteil", "anstieg")
TOP_KEYS = ("name", "beginn", "anlauf_tage", "zugang", "texte", "standard", "typen")


@dataclass(frozen=True)
class ClientType:
    """One kind of client: how likely each behaviour is, and the counsellor's usual choices for them."""

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
class Intake:
    """Cases that arrive while the run goes on (`zugang`); the others are there from its first day."""

    share: float  # of all cases
    rise: float = 1.0  # arrivals a day at the end of the run, as a multiple of those at its start


@dataclass(frozen=True)
class Behaviour:
    name: str
    file: str
    start: date | None
    ramp_days: int
    types: tuple[ClientType, ...]
    intake: Intake | None = None
    texts: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(TEXTS))


def load_behaviour(path: Path, plan_terms: Collection[str] | None = None) -> Behaviour:
    """Read and check a behaviour file; errors name file and line in German (ScenarioError).

    `plan_terms` are the terms the plan form offers (from the diagram); without it any ISO duration passes.
    """
    doc = read_yaml(path)
    raw = doc.value
    if not isinstance(raw, dict) or set(raw) != {"verhalten"} or not isinstance(raw["verhalten"], dict):
        raise ScenarioError(doc.file, 1, "Eine Verhaltensdatei hat genau einen obersten Eintrag »verhalten:« mit "
                                         "»standard« (und optional name, beginn, anlauf_tage, zugang, texte, typen).")
    top: dict[Any, Any] = raw["verhalten"]
    _unknown(doc, top, TOP_KEYS, ("verhalten",))
    name = top.get("name", Path(doc.file).stem)
    if not isinstance(name, str) or not name.strip():
        raise doc.error("»name« ist ein kurzer Text.", "verhalten", "name")
    start = top.get("beginn")
    if start is not None and (not isinstance(start, date) or isinstance(start, datetime)):
        raise doc.error(f"»beginn« muss ein Datum sein (JJJJ-MM-TT), nicht »{start}«.", "verhalten", "beginn")
    ramp = top.get("anlauf_tage", 28)
    if not isinstance(ramp, int) or isinstance(ramp, bool) or not 1 <= ramp <= 365:
        raise doc.error(f"»anlauf_tage« ist eine ganze Zahl von 1 bis 365, nicht »{ramp}«.", "verhalten",
                        "anlauf_tage")
    standard = top.get("standard")
    if not isinstance(standard, dict):
        raise ScenarioError(doc.file, doc.key_line("verhalten", "standard"),
                            f"Es fehlt der Abschnitt »standard« mit den Wahrscheinlichkeiten {', '.join(CORE)}.")
    for key in CORE:
        if key not in standard:
            raise ScenarioError(doc.file, doc.key_line("verhalten", "standard"),
                                f"Im Abschnitt »standard« fehlt »{key}« (Wahrscheinlichkeit, dass die eLb "
                                f"{CORE[key]}).")
    base = _set(doc, standard, ("verhalten", "standard"), None, plan_terms)
    types_raw = top.get("typen")
    types: list[ClientType] = []
    if types_raw is None:
        types.append(_client_type("standard", 1.0, base))
    else:
        if not isinstance(types_raw, dict) or not types_raw:
            raise doc.error("»typen« ordnet jedem Typ (Name) seine Abweichungen vom Standard und einen »anteil« zu.",
                            "verhalten", "typen")
        for type_name, overrides in types_raw.items():
            where = ("verhalten", "typen", type_name)
            if not isinstance(overrides, dict) or "anteil" not in overrides:
                raise ScenarioError(doc.file, doc.key_line(*where), f"Der Typ »{type_name}« braucht einen »anteil« "
                                                                    "(Gewicht im Fallbestand), z. B. »anteil: 20«.")
            share = overrides["anteil"]
            if not _number(share) or share <= 0:
                raise doc.error(f"»anteil« ist eine Zahl größer 0, nicht »{share}«.", *where, "anteil")
            rest = {key: value for key, value in overrides.items() if key != "anteil"}
            merged = _set(doc, rest, where, base, plan_terms)
            types.append(_client_type(str(type_name), float(share), merged))
    return Behaviour(name.strip(), doc.file, start, ramp, tuple(types), _intake(doc, top.get("zugang")),
                     _texts(doc, top.get("texte")))


def _unknown(doc: YamlFile, given: Mapping[Any, Any], allowed: Sequence[str], where: Where) -> None:
    for key in given:
        if key not in allowed:
            raise ScenarioError(doc.file, doc.key_line(*where, key), f"Unbekannter Eintrag »{key}«; erlaubt sind: "
                                                                     f"{', '.join(allowed)}.")


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _probability(doc: YamlFile, value: Any, key: str, where: Where) -> float:
    if not _number(value) or not 0 <= value <= 1:
        raise doc.error(f"»{key}« ist eine Wahrscheinlichkeit zwischen 0 und 1 (z. B. 0.85), nicht »{value}«.", *where)
    return float(value)


def _intake(doc: YamlFile, value: Any) -> Intake | None:
    """`zugang: {anteil: 0.9, anstieg: 3}`: nine in ten cases arrive during the run, three times as many a day
    at its end as at its start."""
    if value is None:
        return None
    where = ("verhalten", "zugang")
    if not isinstance(value, dict) or "anteil" not in value:
        raise doc.error("»zugang« nennt den »anteil« der Fälle, die erst im Lauf der Zeit hinzukommen, "
                        "z. B. »{anteil: 0.9, anstieg: 3}«.", *where)
    _unknown(doc, value, INTAKE_KEYS, where)
    share = _probability(doc, value["anteil"], "anteil", (*where, "anteil"))
    rise = value.get("anstieg", 1)
    if not _number(rise) or not 1 <= rise <= 100:
        raise doc.error(f"»anstieg« ist eine Zahl von 1 bis 100 (Zugänge am Ende je Tag im Verhältnis zum Anfang), "
                        f"nicht »{rise}«.", *where, "anstieg")
    return Intake(share, float(rise))


def _texts(doc: YamlFile, value: Any) -> dict[str, tuple[str, ...]]:
    texts = dict(TEXTS)
    if value is None:
        return texts
    where = ("verhalten", "texte")
    if not isinstance(value, dict):
        raise doc.error("»texte« ordnet Freitextfeldern Listen von Texten zu, z. B. »ziele: [Arbeitsaufnahme im "
                        "Verkauf]«.", *where)
    _unknown(doc, value, tuple(TEXTS), where)
    for key, options in value.items():
        if (not isinstance(options, list) or not options
                or not all(isinstance(option, str) and option.strip() for option in options)):
            raise doc.error(f"»{key}« ist eine Liste von Texten (mindestens einer).", *where, key)
        texts[key] = tuple(option.strip() for option in options)
    return texts


def _set(doc: YamlFile, given: Mapping[Any, Any], where: Where, base: Mapping[str, Any] | None,
         plan_terms: Collection[str] | None) -> dict[str, Any]:
    """One behaviour set, checked; keys not given come from `base` (the standard) or the defaults."""
    _unknown(doc, given, SET_KEYS, where)
    result: dict[str, Any] = dict(base) if base is not None else {
        **OPTIONAL_PROBABILITIES, **{key: dict(value) for key, value in WEIGHTS.items()}, "merkmale": dict(FEATURES)}
    for key in (*CORE, *OPTIONAL_PROBABILITIES):
        if key in given:
            result[key] = _probability(doc, given[key], key, (*where, key))
    for key in WEIGHTS:
        if key in given:
            result[key] = _weights(doc, key, given[key], (*where, key), plan_terms)
    if "merkmale" in given:
        features = given["merkmale"]
        if not isinstance(features, dict):
            raise doc.error("»merkmale« ordnet Merkmalen Werte zu, z. B. »{integrationsnah: true}«.",
                            *where, "merkmale")
        _unknown(doc, features, tuple(FEATURES), (*where, "merkmale"))
        merged = dict(result["merkmale"])
        for key, value in features.items():
            if key == "ausnahme":
                if value not in EXCEPTIONS:
                    raise doc.error(f"»ausnahme« ist eines von {', '.join(EXCEPTIONS)}, nicht »{value}«.",
                                    *where, "merkmale", key)
            elif not isinstance(value, bool):
                raise doc.error(f"»{key}« ist true oder false, nicht »{value}«.", *where, "merkmale", key)
            merged[key] = value
        result["merkmale"] = merged
    return result


def _weights(doc: YamlFile, key: str, value: Any, where: Where,
             plan_terms: Collection[str] | None) -> dict[Any, float]:
    if not isinstance(value, dict) or not value:
        raise doc.error(f"»{key}« ordnet jeder Wahl ein Gewicht zu, z. B. »{_example(key)}«.", *where)
    allowed = WEIGHT_CHOICES.get(key)
    for choice, weight in value.items():
        at = (*where, choice)
        if key == "planlaufzeit":
            try:
                parse_duration(str(choice))
            except DurationError as error:
                raise doc.error(f"»{choice}« ist keine Laufzeit wie P3M: {error}", *at) from error
            if plan_terms is not None and choice not in plan_terms:
                raise doc.error(f"Die Laufzeit »{choice}« bietet das Formular »Kooperationsplan vereinbaren« nicht "
                                f"an; erlaubt sind {', '.join(plan_terms)}.", *at)
        elif allowed is not None and choice not in allowed:
            shown = f"1 bis {MAX_STEPS}" if key == "schritte_je_plan" else ", ".join(map(str, allowed))
            raise doc.error(f"»{choice}« ist unter »{key}« nicht möglich; erlaubt sind {shown}.", *at)
        if not _number(weight) or weight < 0:
            raise doc.error(f"Das Gewicht von »{choice}« ist eine Zahl ab 0, nicht »{weight}«.", *at)
    if not sum(value.values()) > 0:
        raise doc.error(f"Unter »{key}« muss mindestens ein Gewicht größer 0 sein.", *where)
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
