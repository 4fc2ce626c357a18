"""The decision tables in processes/entscheidungen: every rule has a case here, and the legal edges hold.

Each case names the rule that must decide it (the first match of a FIRST table, the only match of a
UNIQUE one) and the outputs. A rule added to a table without a case here fails `test_every_rule_has_a_case`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from engine.runtime import dmn
from engine.runtime.xmlsafe import parse_xml

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ROOT / "processes"
TABLES = PROCESSES / "entscheidungen"
DMN_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"

# Which file holds which decision. Rechtskreis sits beside Leistungsminderung because a requiredDecision
# can only point into its own file (one DRD), and the commencement date must live in exactly one place.
FILE_OF = {
    "Rechtskreis": "leistungsminderung.dmn",
    "Leistungsminderung": "leistungsminderung.dmn",
    "Prioritaetsgruppe": "prioritaet.dmn",
    "Kontaktdichte": "prioritaet.dmn",
}
UNIQUE_DECISIONS = ("Rechtskreis", "Kontaktdichte")
SINGLE_OUTPUT = ("Rechtskreis", "Prioritaetsgruppe")  # their value is the bare output, not a dict

LETZTER_TAG_BUERGERGELD = date(2026, 6, 30)
ERSTER_TAG_NEUE_GRUNDSICHERUNG = date(2026, 7, 1)
UNVERIFIZIERT = "laut Berichterstattung, Gesetzestext unverifiziert"


@dataclass(frozen=True)
class Case:
    name: str
    decision: str
    variables: dict[str, Any]
    rule: str
    outputs: dict[str, Any]
    begruendung_cites: str | None = None  # a paragraph the German reason must name


def verstoss(name: str, rule: str, outputs: tuple[int, int, str], cites: str, **changes: Any) -> Case:
    """A Leistungsminderung case: a plain first breach under Bürgergeld law unless `changes` say otherwise."""
    variables: dict[str, Any] = {
        "stichtag": LETZTER_TAG_BUERGERGELD,
        "art": "pflichtverletzung",
        "fruehereMinderungen": 0,
        "wichtigerGrund": False,
        "rfbErteilt": True,
        "haerte": False,
        "schlichtungLaeuft": False,
        "ersteEinladungZumPlan": False,
        "meldeversaeumnisseInFolge": 1,
    }
    variables.update(changes)
    prozent, monate, folge = outputs
    return Case(name, "Leistungsminderung", variables, rule, {"prozent": prozent, "monate": monate, "folge": folge},
                begruendung_cites=cites)


def lage(name: str, gruppe: int, rule: str, **changes: Any) -> Case:
    """A Prioritaetsgruppe case: a cooperative client past the initial phase unless `changes` say otherwise."""
    variables: dict[str, Any] = {
        "anfangsphase": False,
        "ausnahme": "keine",
        "ohneVeraenderungsperspektive": False,
        "erwerbsminderungPruefung": False,
        "integrationsnah": False,
        "kooperationsbereit": True,
    }
    variables.update(changes)
    return Case(name, "Prioritaetsgruppe", variables, rule, {"prioritaetsgruppe": gruppe})


BG = LETZTER_TAG_BUERGERGELD
NG = ERSTER_TAG_NEUE_GRUNDSICHERUNG
KEINE = (0, 0, "keine")

CASES = [
    # --- Rechtskreis: the date of the violation decides, the day of the change belongs to the new law.
    Case("rechtskreis_letzter_tag_buergergeld", "Rechtskreis", {"stichtag": BG},
         "Rule_Rechtskreis_Buergergeld", {"rechtskreis": "buergergeld"}),
    Case("rechtskreis_erster_tag_neue_grundsicherung", "Rechtskreis", {"stichtag": NG},
         "Rule_Rechtskreis_NeueGrundsicherung", {"rechtskreis": "neue_grundsicherung"}),
    Case("rechtskreis_beginn_buergergeld", "Rechtskreis", {"stichtag": date(2023, 7, 1)},
         "Rule_Rechtskreis_Buergergeld", {"rechtskreis": "buergergeld"}),
    Case("rechtskreis_spaeter", "Rechtskreis", {"stichtag": date(2030, 1, 2)},
         "Rule_Rechtskreis_NeueGrundsicherung", {"rechtskreis": "neue_grundsicherung"}),
    # --- Leistungsminderung: grounds that exclude any consequence, in both regimes.
    verstoss("wichtiger_grund_buergergeld", "Rule_Minderung_WichtigerGrund", KEINE, "§ 31 Abs. 1 Satz 2",
             wichtigerGrund=True, fruehereMinderungen=2),
    verstoss("wichtiger_grund_neue_grundsicherung", "Rule_Minderung_WichtigerGrund", KEINE, "§ 32 Abs. 1 Satz 2",
             stichtag=NG, art="meldeversaeumnis", wichtigerGrund=True, meldeversaeumnisseInFolge=3),
    verstoss("wichtiger_grund_vor_fehlender_rfb", "Rule_Minderung_WichtigerGrund", KEINE, "§ 31",
             wichtigerGrund=True, rfbErteilt=False),
    verstoss("keine_rfb_buergergeld", "Rule_Minderung_KeineRfb", KEINE, "§ 31 Abs. 1 Satz 1",
             rfbErteilt=False, fruehereMinderungen=1),
    verstoss("keine_rfb_neue_grundsicherung", "Rule_Minderung_KeineRfb", KEINE, "§ 32 Abs. 1 Satz 1",
             stichtag=NG, art="arbeitsverweigerung", rfbErteilt=False),
    verstoss("haerte_buergergeld", "Rule_Minderung_Haerte", KEINE, "§ 31a Abs. 3",
             haerte=True, fruehereMinderungen=3),
    verstoss("haerte_neue_grundsicherung_immer_geprueft", "Rule_Minderung_Haerte", KEINE, "§ 31a Abs. 3",
             stichtag=NG, art="arbeitsverweigerung", haerte=True),
    verstoss("haerte_bei_unerreichbarkeit", "Rule_Minderung_Haerte", KEINE, "§ 31a Abs. 3",
             stichtag=NG, art="meldeversaeumnis", haerte=True, meldeversaeumnisseInFolge=3),
    # --- Bürgergeld: conciliation and the first invitation to the plan.
    verstoss("schlichtung_pflichtverletzung", "Rule_Minderung_Schlichtung", KEINE, "§ 15a",
             schlichtungLaeuft=True, fruehereMinderungen=2),
    verstoss("schlichtung_arbeitsverweigerung", "Rule_Minderung_Schlichtung", KEINE, "§ 15a",
             art="arbeitsverweigerung", schlichtungLaeuft=True),
    verstoss("schlichtung_schuetzt_nicht_vor_meldeversaeumnis", "Rule_Minderung_Buergergeld_Meldeversaeumnis",
             (10, 1, "minderung"), "§ 32", art="meldeversaeumnis", schlichtungLaeuft=True),
    verstoss("schlichtung_gibt_es_in_neuer_grundsicherung_nicht",
             "Rule_Minderung_NeueGrundsicherung_Pflichtverletzung", (30, 3, "minderung"), "§§ 31, 31a",
             stichtag=NG, schlichtungLaeuft=True),
    # Issue 11: no statutory basis for exempting the first invitation to the plan: § 32 applies.
    verstoss("erste_einladung_zum_plan_par_32_gilt", "Rule_Minderung_Buergergeld_Meldeversaeumnis",
             (10, 1, "minderung"), "§ 32", art="meldeversaeumnis", ersteEinladungZumPlan=True),
    verstoss("erste_einladung_betrifft_nur_meldeversaeumnis", "Rule_Minderung_Buergergeld_Erste",
             (10, 1, "minderung"), "31a Abs. 1, 31b", ersteEinladungZumPlan=True),
    verstoss("erste_einladung_neue_grundsicherung_zaehlt_in_folge",
             "Rule_Minderung_NeueGrundsicherung_Meldeversaeumnis2", (30, 1, "minderung"), "§ 32",
             stichtag=NG, art="meldeversaeumnis", ersteEinladungZumPlan=True, meldeversaeumnisseInFolge=2),
    # --- Bürgergeld: graduated reductions (§ 31a Abs. 1), work refusal counts as a § 31 breach.
    verstoss("buergergeld_erste_pflichtverletzung", "Rule_Minderung_Buergergeld_Erste", (10, 1, "minderung"),
             "31a Abs. 1, 31b"),
    verstoss("buergergeld_erste_arbeitsverweigerung", "Rule_Minderung_Buergergeld_Erste", (10, 1, "minderung"),
             "31a Abs. 1, 31b", art="arbeitsverweigerung"),
    verstoss("buergergeld_zweite_pflichtverletzung", "Rule_Minderung_Buergergeld_Zweite", (20, 2, "minderung"),
             "31a Abs. 1, 31b", fruehereMinderungen=1),
    verstoss("buergergeld_dritte_pflichtverletzung", "Rule_Minderung_Buergergeld_Weitere", (30, 3, "minderung"),
             "31a Abs. 1, 31b", fruehereMinderungen=2),
    verstoss("buergergeld_weitere_arbeitsverweigerung", "Rule_Minderung_Buergergeld_Weitere",
             (30, 3, "minderung"), "31a Abs. 1, 31b", art="arbeitsverweigerung", fruehereMinderungen=5),
    verstoss("buergergeld_meldeversaeumnis", "Rule_Minderung_Buergergeld_Meldeversaeumnis", (10, 1, "minderung"),
             "§ 32 SGB II", art="meldeversaeumnis"),
    verstoss("buergergeld_meldeversaeumnis_nicht_gestaffelt", "Rule_Minderung_Buergergeld_Meldeversaeumnis",
             (10, 1, "minderung"), "§ 32 SGB II", art="meldeversaeumnis", fruehereMinderungen=2,
             meldeversaeumnisseInFolge=3),
    # --- Neue Grundsicherung (as reported; the statute's final text is unverified).
    verstoss("neue_grundsicherung_pflichtverletzung", "Rule_Minderung_NeueGrundsicherung_Pflichtverletzung",
             (30, 3, "minderung"), "Neuen Grundsicherung", stichtag=NG),
    verstoss("neue_grundsicherung_pflichtverletzung_nicht_gestaffelt",
             "Rule_Minderung_NeueGrundsicherung_Pflichtverletzung", (30, 3, "minderung"), "§§ 31, 31a",
             stichtag=date(2027, 3, 1), fruehereMinderungen=2),
    verstoss("neue_grundsicherung_arbeitsverweigerung", "Rule_Minderung_NeueGrundsicherung_Arbeitsverweigerung",
             (100, 2, "minderung"), "§ 31a", stichtag=NG, art="arbeitsverweigerung"),
    verstoss("neue_grundsicherung_erstes_meldeversaeumnis",
             "Rule_Minderung_NeueGrundsicherung_Meldeversaeumnis1", KEINE, "§ 32",
             stichtag=NG, art="meldeversaeumnis", meldeversaeumnisseInFolge=1),
    verstoss("neue_grundsicherung_zweites_meldeversaeumnis",
             "Rule_Minderung_NeueGrundsicherung_Meldeversaeumnis2", (30, 1, "minderung"), "§ 32",
             stichtag=NG, art="meldeversaeumnis", meldeversaeumnisseInFolge=2),
    verstoss("neue_grundsicherung_drittes_meldeversaeumnis", "Rule_Minderung_NeueGrundsicherung_Unerreichbar",
             (0, 1, "unerreichbar"), "§ 32", stichtag=NG, art="meldeversaeumnis", meldeversaeumnisseInFolge=3),
    verstoss("neue_grundsicherung_viertes_meldeversaeumnis", "Rule_Minderung_NeueGrundsicherung_Unerreichbar",
             (0, 1, "unerreichbar"), "§ 32", stichtag=NG, art="meldeversaeumnis", meldeversaeumnisseInFolge=4),
    # --- The same breach one day apart: the date of the violation picks the regime.
    verstoss("stichtag_30_juni_altes_recht", "Rule_Minderung_Buergergeld_Erste", (10, 1, "minderung"),
             "31a Abs. 1, 31b", stichtag=date(2026, 6, 30)),
    verstoss("stichtag_1_juli_neues_recht", "Rule_Minderung_NeueGrundsicherung_Pflichtverletzung",
             (30, 3, "minderung"), "Neuen Grundsicherung", stichtag=date(2026, 7, 1)),
    verstoss("stichtag_30_juni_meldeversaeumnis", "Rule_Minderung_Buergergeld_Meldeversaeumnis",
             (10, 1, "minderung"), "§ 32", stichtag=date(2026, 6, 30), art="meldeversaeumnis"),
    verstoss("stichtag_1_juli_meldeversaeumnis", "Rule_Minderung_NeueGrundsicherung_Meldeversaeumnis1", KEINE,
             "§ 32", stichtag=date(2026, 7, 1), art="meldeversaeumnis"),
    # --- Prioritaetsgruppe (concept section 7): each group, then which feature wins.
    lage("anfangsphase", 1, "Rule_Prioritaet_Anfangsphase", anfangsphase=True),
    lage("anfangsphase_vor_allem", 1, "Rule_Prioritaet_Anfangsphase", anfangsphase=True, ausnahme="unzumutbar",
         ohneVeraenderungsperspektive=True, erwerbsminderungPruefung=True, kooperationsbereit=False),
    lage("fehlende_zumutbarkeit", 6, "Rule_Prioritaet_Unzumutbar", ausnahme="unzumutbar", integrationsnah=True),
    lage("ohne_veraenderungsperspektive", 6, "Rule_Prioritaet_OhnePerspektive", ohneVeraenderungsperspektive=True),
    lage("ohne_perspektive_vor_erwerbsminderung", 6, "Rule_Prioritaet_OhnePerspektive",
         ohneVeraenderungsperspektive=True, erwerbsminderungPruefung=True),
    lage("erwerbsminderung", 5, "Rule_Prioritaet_Erwerbsminderung", erwerbsminderungPruefung=True),
    lage("erwerbsminderung_vor_integrationsnah", 5, "Rule_Prioritaet_Erwerbsminderung",
         erwerbsminderungPruefung=True, integrationsnah=True),
    lage("integrationsnah", 2, "Rule_Prioritaet_Integrationsnah", integrationsnah=True),
    lage("kooperationsbereit", 3, "Rule_Prioritaet_Kooperationsbereit"),
    lage("bereits_integriert_keine_eigene_gruppe", 3, "Rule_Prioritaet_Kooperationsbereit", ausnahme="integriert"),
    lage("integrationsbedarf_offen", 3, "Rule_Prioritaet_Kooperationsbereit", integrationsnah=None),
    lage("nicht_kooperationsbereit", 4, "Rule_Prioritaet_NichtKooperationsbereit", kooperationsbereit=False),
    lage("integrationsnah_aber_nicht_kooperationsbereit", 4, "Rule_Prioritaet_NichtKooperationsbereit",
         integrationsnah=True, kooperationsbereit=False),
    # --- Kontaktdichte: documented defaults per group.
    Case("kontakt_gruppe1", "Kontaktdichte", {"prioritaetsgruppe": 1}, "Rule_Kontaktdichte_Gruppe1",
         {"kontaktAbstandTage": 14, "kontaktart": "praesenz"}),
    Case("kontakt_gruppe2", "Kontaktdichte", {"prioritaetsgruppe": 2}, "Rule_Kontaktdichte_Gruppe2",
         {"kontaktAbstandTage": 14, "kontaktart": "praesenz_oder_telefon"}),
    Case("kontakt_gruppe3", "Kontaktdichte", {"prioritaetsgruppe": 3}, "Rule_Kontaktdichte_Gruppe3",
         {"kontaktAbstandTage": 28, "kontaktart": "praesenz_oder_telefon"}),
    Case("kontakt_gruppe4", "Kontaktdichte", {"prioritaetsgruppe": 4}, "Rule_Kontaktdichte_Gruppe4",
         {"kontaktAbstandTage": 42, "kontaktart": "praesenz"}),
    Case("kontakt_gruppe5", "Kontaktdichte", {"prioritaetsgruppe": 5}, "Rule_Kontaktdichte_Gruppe5",
         {"kontaktAbstandTage": 90, "kontaktart": "praesenz_oder_telefon"}),
    Case("kontakt_gruppe6", "Kontaktdichte", {"prioritaetsgruppe": 6}, "Rule_Kontaktdichte_Gruppe6",
         {"kontaktAbstandTage": 180, "kontaktart": "praesenz_oder_telefon"}),
]


def _load(filename: str) -> dict[str, Any]:
    path = TABLES / filename
    return dmn.read_decisions(parse_xml(path.read_bytes(), str(path)), str(path))


@pytest.fixture(scope="module")
def tables() -> dict[str, dict[str, Any]]:
    return {filename: _load(filename) for filename in sorted(set(FILE_OF.values()))}


def _evaluate(tables: dict[str, dict[str, Any]], decision: str, variables: dict[str, Any]) -> Any:
    return dmn.evaluate(tables[FILE_OF[decision]], decision, dict(variables))


def _rules_in_files() -> dict[str, str]:
    """rule id -> decision id, read straight from the XML so nothing the evaluator skips is missed."""
    found: dict[str, str] = {}
    for path in sorted(TABLES.glob("*.dmn")):
        root = parse_xml(path.read_bytes(), str(path))
        for decision in root.iter(f"{{{DMN_NS}}}decision"):
            for rule in decision.iter(f"{{{DMN_NS}}}rule"):
                assert rule.get("id") not in found, f"Regel-ID doppelt: {rule.get('id')}"
                found[rule.get("id", "")] = decision.get("id", "")
    return found


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_rule_decides_case(tables: dict[str, dict[str, Any]], case: Case) -> None:
    result = _evaluate(tables, case.decision, case.variables)
    assert result.matched_rules, f"{case.name}: keine Regel trifft zu"
    if case.decision in UNIQUE_DECISIONS:
        assert list(result.matched_rules) == [case.rule]
    else:
        assert result.matched_rules[0] == case.rule
    value = result.value
    if case.decision in SINGLE_OUTPUT:
        assert value == next(iter(case.outputs.values()))
    else:
        assert isinstance(value, dict)
        assert {key: value[key] for key in case.outputs} == case.outputs
    if case.begruendung_cites is not None:
        assert case.begruendung_cites in value["begruendung"], value["begruendung"]


def test_every_rule_has_a_case() -> None:
    in_files = _rules_in_files()
    covered = {case.rule for case in CASES}
    assert set(in_files) - covered == set(), "Regeln ohne Testfall"
    assert covered - set(in_files) == set(), "Testfälle für Regeln, die es nicht gibt"
    assert {case.decision for case in CASES} == set(FILE_OF)
    for case in CASES:
        assert in_files[case.rule] == case.decision, case.name


def test_decisions_live_where_the_processes_look_for_them(tables: dict[str, dict[str, Any]]) -> None:
    for decision, filename in FILE_OF.items():
        assert decision in tables[filename], f"{decision} fehlt in {filename}"
    assert sorted(p.name for p in TABLES.glob("*.dmn")) == sorted(set(FILE_OF.values()))


def test_rechtskreis_is_unique_over_sample_dates(tables: dict[str, dict[str, Any]]) -> None:
    samples = [date(2023, 7, 1), date(2025, 12, 31), date(2026, 1, 1), date(2040, 1, 1)]
    samples += [ERSTER_TAG_NEUE_GRUNDSICHERUNG + timedelta(days=offset) for offset in range(-40, 41)]
    for stichtag in samples:
        result = _evaluate(tables, "Rechtskreis", {"stichtag": stichtag})
        assert len(result.matched_rules) == 1, (stichtag, result.matched_rules)
        expected = "buergergeld" if stichtag < ERSTER_TAG_NEUE_GRUNDSICHERUNG else "neue_grundsicherung"
        assert result.value == expected, stichtag


def test_kontaktdichte_is_unique_over_all_groups(tables: dict[str, dict[str, Any]]) -> None:
    for gruppe in range(1, 7):
        result = _evaluate(tables, "Kontaktdichte", {"prioritaetsgruppe": gruppe})
        assert len(result.matched_rules) == 1, (gruppe, result.matched_rules)
        assert result.value["kontaktAbstandTage"] > 0
    for gruppe in (0, 7):
        result = _evaluate(tables, "Kontaktdichte", {"prioritaetsgruppe": gruppe})
        assert list(result.matched_rules) == []
        assert result.value is None


def test_every_priority_group_has_a_contact_density(tables: dict[str, dict[str, Any]]) -> None:
    groups = {case.outputs["prioritaetsgruppe"] for case in CASES if case.decision == "Prioritaetsgruppe"}
    assert groups == set(range(1, 7))
    for gruppe in groups:
        assert _evaluate(tables, "Kontaktdichte", {"prioritaetsgruppe": gruppe}).value is not None


def test_every_combination_of_priority_inputs_gets_a_group(tables: dict[str, dict[str, Any]]) -> None:
    flags = ("anfangsphase", "ohneVeraenderungsperspektive", "erwerbsminderungPruefung", "integrationsnah",
             "kooperationsbereit")
    for ausnahme in ("keine", "integriert", "unzumutbar"):
        for bits in range(2 ** len(flags)):
            variables: dict[str, Any] = {flag: bool(bits >> i & 1) for i, flag in enumerate(flags)}
            variables["ausnahme"] = ausnahme
            value = _evaluate(tables, "Prioritaetsgruppe", variables).value
            assert value in range(1, 7), variables
            if variables["anfangsphase"]:
                assert value == 1, variables


def test_every_violation_gets_a_consequence(tables: dict[str, dict[str, Any]]) -> None:
    """No well-formed violation falls through the FIRST table; excluding grounds always mean no reduction."""
    for stichtag in (LETZTER_TAG_BUERGERGELD, ERSTER_TAG_NEUE_GRUNDSICHERUNG):
        for art in ("pflichtverletzung", "meldeversaeumnis", "arbeitsverweigerung"):
            for bits in range(2 ** 5):
                grund, rfb, haerte, schlichtung, erste = (bool(bits >> i & 1) for i in range(5))
                for frueher in (0, 1, 2, 3):
                    for in_folge in (1, 2, 3):
                        variables = {
                            "stichtag": stichtag, "art": art, "fruehereMinderungen": frueher,
                            "wichtigerGrund": grund, "rfbErteilt": rfb, "haerte": haerte,
                            "schlichtungLaeuft": schlichtung, "ersteEinladungZumPlan": erste,
                            "meldeversaeumnisseInFolge": in_folge,
                        }
                        value = _evaluate(tables, "Leistungsminderung", variables).value
                        assert value is not None, variables
                        assert value["folge"] in {"keine", "minderung", "unerreichbar"}, variables
                        # a percentage only for a reduction; unreachability is an exclusion, not a reduction
                        assert (value["folge"] == "minderung") == (value["prozent"] > 0), variables
                        if grund or not rfb or haerte:
                            assert value["folge"] == "keine", variables
                        if stichtag < ERSTER_TAG_NEUE_GRUNDSICHERUNG:
                            assert value["prozent"] <= 30, variables


def test_unknown_kind_of_violation_is_not_silently_excused(tables: dict[str, dict[str, Any]]) -> None:
    case = next(case for case in CASES if case.name == "buergergeld_erste_pflichtverletzung")
    result = _evaluate(tables, "Leistungsminderung", {**case.variables, "art": "unbekannt"})
    assert result.value is None


def test_commencement_date_lives_only_in_rechtskreis() -> None:
    places = []
    for path in sorted(PROCESSES.rglob("*")):
        if path.suffix in {".dmn", ".bpmn"} and "2026-07-01" in path.read_text(encoding="utf-8"):
            root = parse_xml(path.read_bytes(), str(path))
            for element in root.iter():
                if isinstance(element.text, str) and "2026-07-01" in element.text:
                    decision = next(
                        (a for a in element.iterancestors() if a.tag == f"{{{DMN_NS}}}decision"), None
                    )
                    places.append((path.name, decision.get("id") if decision is not None else None))
    assert places, "Das Datum des Inkrafttretens fehlt"
    assert set(places) == {("leistungsminderung.dmn", "Rechtskreis")}


def test_new_law_rules_are_marked_unverified() -> None:
    for path in sorted(TABLES.glob("*.dmn")):
        root = parse_xml(path.read_bytes(), str(path))
        for rule in root.iter(f"{{{DMN_NS}}}rule"):
            if "NeueGrundsicherung" in rule.get("id", "") and rule.get("id") != "Rule_Rechtskreis_NeueGrundsicherung":
                description = rule.findtext(f"{{{DMN_NS}}}description") or ""
                assert UNVERIFIZIERT in description, rule.get("id")
