"""The fields each kind of letter gets, built from the case data; the examples double as the field catalogue
that templates are checked against."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from engine.domain import legal, rfb
from engine.domain.labels import LABELS, RESPONSIBLE
from engine.runtime.clock import BERLIN
from engine.runtime.durations import add_duration
from engine.runtime.formatting import date_text

KINDS = ("einladung", "kooperationsplan", "aufforderung", "anhoerung", "minderungsbescheid", "aufhebungsbescheid",
         "nichterreichbarkeit")

APPEAL = ("Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden. Der "
          "Widerspruch ist schriftlich, in elektronischer Form (§ 36a Abs. 2 SGB I) oder zur Niederschrift bei "
          "{name}, {anschrift}, einzulegen. Widerspruch und Klage haben keine aufschiebende Wirkung (§ 39 Nr. 1 "
          "SGB II).")


def euro(amount: str | Decimal) -> str:
    return f"{Decimal(amount):.2f}".replace(".", ",") + " €"


def months(count: int) -> str:
    return "einen Monat" if count == 1 else f"{count} Monate"


def common(case: Mapping[str, Any], today: date) -> dict[str, Any]:
    """Sender, recipient and references every letter carries."""
    office = case.get("jobcenter") or {}
    return {
        "jobcenter": {"name": office.get("name", "Jobcenter Landkreis Göttingen"),
                      "anschrift": office.get("anschrift", "Bahnhofsallee 5, 37081 Göttingen"),
                      "telefon": office.get("telefon", "0551 525-0")},
        "ifk": {"name": case.get("ifkName", "")},
        "empfaenger": {"name": case.get("name", ""), "anschrift": case.get("anschrift", "")},
        "kundennummer": case.get("kundennummer", ""), "bgNummer": case.get("bgNummer", ""),
        "datum": date_text(today),
    }


def invitation(case: Mapping[str, Any], today: date, when: date, time: str, place: str, purpose: str,
               with_rfb: bool, regime: str, in_a_row: int = 0) -> dict[str, Any]:
    """§ 59 SGB II with § 309 SGB III: purpose, date and place; with or without the RFB of § 32."""
    given = rfb.compute(regime, "meldeversaeumnis", 1, when, in_a_row=in_a_row)
    return {**common(case, today), "termin": {"datum": date_text(when), "uhrzeit": time, "ort": place,
                                              "zweck": purpose},
            "mitRfb": with_rfb, "rfb": given, "rfbText": rfb.text(given)}


def demand(case: Mapping[str, Any], today: date, record: Mapping[str, Any], proof: str) -> dict[str, Any]:
    """The demand with the RFB recorded with it (§ 15 Abs. 5/6 SGB II)."""
    given = record.get("rfb")
    if not isinstance(given, dict) or rfb.missing(given):
        raise ValueError("Zu dieser Aufforderung ist keine vollständige Rechtsfolgenbelehrung festgehalten.")
    basis = str(record.get("rechtsgrundlage") or "")
    base = common(case, today)
    # Reform (source weaker than the statute text): the duty is imposed by a written administrative act
    # ("Verpflichtung", § 15a SGB II n. F.) with reasons and appeal instructions.
    act = given.get("rechtskreis") == "neue_grundsicherung"
    return {**base, "schritt": record["schritt"], "frist": date_text(record["frist"]),
            "nachweis": proof, "rechtsgrundlage": LABELS["rechtsgrundlage"].get(basis, ""),
            "rfb": given, "rfbText": rfb.text(given), "verwaltungsakt": act,
            "rechtsbehelf": APPEAL.format(**base["jobcenter"]) if act else ""}


def hearing(case: Mapping[str, Any], today: date, kind: str, breach_on: date, description: str, percent: int,
            month_count: int, deadline: date, in_person: str | None, measure: str | None = None) -> dict[str, Any]:
    """§ 24 SGB X: the facts, the intended reduction and the deadline for a statement; `in_person`: why the
    hearing is held in person (§ 31a Abs. 2 SGB II, `legal.hearing_in_person`), or None."""
    return {**common(case, today),
            "verstoss": {"art": LABELS["art"].get(kind, kind), "datum": date_text(breach_on),
                         "beschreibung": description},
            "beabsichtigt": {"prozent": percent, "betrag": euro(legal.reduction_amount(percent, breach_on)),
                             "monate": months(month_count),
                             # the measure in words where it is not a reduction (the reform's unreachability)
                             "massnahme": measure or "",
                             "betreff": "vor der Feststellung der Nichterreichbarkeit" if measure else
                                        "zu einer beabsichtigten Minderung"},
            "anhoerungFrist": date_text(deadline),
            "persoenlich": (f"Wir hören Sie persönlich an – {in_person}; den Termin teilen wir Ihnen gesondert mit. "
                            "Bis zur Frist können Sie sich auch schriftlich äußern." if in_person else
                            "Auf Ihren Wunsch hören wir Sie auch persönlich an (§ 31a Abs. 2 SGB II).")}


def _reduction(reduction: Mapping[str, Any]) -> dict[str, Any]:
    return {"prozent": reduction["prozent"], "betrag": euro(reduction.get("betrag") or legal.reduction_amount(
                int(reduction["prozent"]), reduction["beginn"])),
            "beginn": date_text(reduction["beginn"]), "ende": date_text(reduction["ende"]),
            "monate": months(int(reduction["monate"])), "art": LABELS["art"].get(reduction["art"], reduction["art"]),
            "verstossAm": date_text(reduction["verstossAm"]), "begruendung": reduction.get("begruendung") or ""}


def decision(case: Mapping[str, Any], today: date, reduction: Mapping[str, Any]) -> dict[str, Any]:
    """The reduction decision: percent, euro amount, start and end after deemed delivery, reasons, appeal."""
    base = common(case, today)
    posted = reduction["bescheidAm"]
    return {**base, "minderung": _reduction(reduction), "bescheidAm": date_text(posted),
            "zugangAm": date_text(reduction.get("zugangAm") or legal.deemed_delivery(posted)),
            "rechtsbehelf": APPEAL.format(**base["jobcenter"])}


def lifting(case: Mapping[str, Any], today: date, reduction: Mapping[str, Any]) -> dict[str, Any]:
    """The lifting decision (§ 31a Abs. 1 Satz 6 SGB II) for a reduction `minderungAufheben` shortened."""
    base = common(case, today)
    return {**base, "minderung": _reduction(reduction),
            "aufhebung": {"erfuelltAm": date_text(reduction["erfuelltAm"]), "ende": date_text(reduction["ende"])},
            "rechtsbehelf": APPEAL.format(**base["jobcenter"])}


def cooperation_plan(case: Mapping[str, Any], agreed: date, data: Mapping[str, Any]) -> dict[str, Any]:
    """The Kooperationsplan handed over in text form (§ 15 SGB II): goal, dated steps, own efforts, review."""
    term = str(data.get("planLaufzeit") or "P6M")
    review = add_duration(datetime.combine(agreed, time(12), BERLIN), term).date()
    steps = [{"nr": step.get("nr", index), "beschreibung": step.get("beschreibung", ""),
              "verantwortlich": RESPONSIBLE.get(step.get("verantwortlich"), step.get("verantwortlich") or ""),
              "faellig": date_text(step.get("faellig"))}
             for index, step in enumerate(data.get("schritte") or (), start=1)]
    return {**common(case, agreed), "plan": {"vereinbartAm": date_text(agreed), "ziel": data.get("planZiel") or "",
                                             "schritte": steps, "eigenbemuehungen": data.get("eigenbemuehungen") or "",
                                             "ueberpruefungBis": date_text(review)}}


def unreachable(case: Mapping[str, Any], today: date, exclusion: Mapping[str, Any],
                last_missed: date) -> dict[str, Any]:
    """The unreachability notice (reform, source weaker than the statute text): exclusion, rent, end."""
    base = common(case, today)
    return {**base, "ausschluss": {"letzterTermin": date_text(last_missed),
                                   "festgestelltAm": date_text(exclusion["festgestelltAm"]),
                                   "regelbedarfEntfaelltAb": date_text(exclusion["regelbedarfEntfaelltAb"]),
                                   "mieteAnVermieterBis": date_text(exclusion["mieteAnVermieterBis"]),
                                   "leistungenEndenAb": date_text(exclusion["leistungenEndenAb"])},
            "rechtsbehelf": APPEAL.format(**base["jobcenter"])}


EXAMPLE_CASE = {"name": "Erika Mustermann", "anschrift": "Weender Straße 1, 37073 Göttingen",
                "kundennummer": "123D456789", "bgNummer": "12345BG0001234", "ifkName": "Frau Beispiel"}
_DAY = date(2026, 3, 9)
_DEMAND = {"schritt": "Bewerbung als Verkäuferin bei Firma X", "frist": date(2026, 3, 23),
           "rechtsgrundlage": "par15abs6", "rfb": rfb.compute("buergergeld", "pflichtverletzung", 1, date(2026, 3, 23))}
_REDUCTION = {"art": "pflichtverletzung", "verstossAm": date(2026, 3, 23), "bescheidAm": date(2026, 4, 14),
              "beginn": date(2026, 5, 1), "ende": date(2026, 5, 31), "monate": 1, "prozent": 10, "betrag": "56.30",
              "begruendung": "Sie haben sich trotz Aufforderung nicht beworben; ein wichtiger Grund wurde nicht "
                             "dargelegt (§§ 31, 31a Abs. 1 SGB II).", "erfuelltAm": date(2026, 5, 20)}
EXAMPLES: dict[str, dict[str, Any]] = {
    "einladung": invitation(EXAMPLE_CASE, _DAY, date(2026, 3, 19), "10:00", "Jobcenter, Bahnhofsallee 5, Raum 112",
                            "Besprechung Ihres Bewerberangebots", True, "buergergeld"),
    "kooperationsplan": cooperation_plan(EXAMPLE_CASE, date(2026, 3, 2), {
        "planZiel": "Arbeitsaufnahme im Verkauf", "planLaufzeit": "P6M",
        "eigenbemuehungen": "Vier Bewerbungen im Monat",
        "schritte": [{"nr": 1, "beschreibung": "Lebenslauf überarbeiten", "verantwortlich": "elb",
                      "faellig": date(2026, 3, 16)}]}),
    "aufforderung": demand(EXAMPLE_CASE, _DAY, _DEMAND, "Kopie der Bewerbung"),
    "anhoerung": hearing(EXAMPLE_CASE, date(2026, 3, 25), "pflichtverletzung", date(2026, 3, 23),
                         "Die geforderte Bewerbung bei Firma X ist bis zum Fristende nicht nachgewiesen", 10, 1,
                         date(2026, 4, 8), legal.hearing_in_person(True, 0, 0)),
    "minderungsbescheid": decision(EXAMPLE_CASE, date(2026, 4, 14), _REDUCTION),
    "aufhebungsbescheid": lifting(EXAMPLE_CASE, date(2026, 5, 21), {**_REDUCTION, "ende": date(2026, 5, 31)}),
    "nichterreichbarkeit": unreachable(EXAMPLE_CASE, date(2026, 7, 20), {
        "festgestelltAm": date(2026, 7, 20), "regelbedarfEntfaelltAb": date(2026, 8, 1),
        "mieteAnVermieterBis": date(2026, 8, 31), "leistungenEndenAb": date(2026, 9, 1)}, date(2026, 7, 20)),
}
