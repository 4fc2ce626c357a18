"""The Rechtsfolgenbelehrung (RFB) computed per case and per regime of the violation date, never assumed.

An RFB must be concrete, correct, complete, timely and understandable without the statute (BSG 17.12.2009,
B 4 AS 30/09 R); one that omits when the reduction starts is ineffective (BSG, B 11 AL 33/21 R). `compute`
gives every element for the breach this demand or invitation could lead to; `missing` names what a recorded
RFB lacks, and a reduction is refused when anything is missing (§ 31 Abs. 1 Satz 1, § 32 Abs. 1 SGB II).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from engine.domain import legal

Data = dict[str, Any]
REGIMES = ("buergergeld", "neue_grundsicherung")
KINDS = ("pflichtverletzung", "arbeitsverweigerung", "meldeversaeumnis")
# Every element the RFB must carry; a recorded RFB without one of them is incomplete.
ELEMENTS = ("rechtskreis", "art", "prozent", "betrag", "monate", "beginn", "wiederholung", "wichtigerGrund",
            "haerte", "aufhebung", "anhoerung")

START = ("Die Minderung beginnt mit dem Kalendermonat, der auf die Bekanntgabe des Bescheids über die Minderung "
         "folgt (§ 31b Abs. 1 SGB II); ein Bescheid per Post gilt am vierten Tag nach der Aufgabe zur Post als "
         "bekanntgegeben (§ 37 Abs. 2 SGB X).")
GOOD_REASON = ("Die Rechtsfolge tritt nicht ein, wenn Sie einen wichtigen Grund für Ihr Verhalten darlegen und "
               "nachweisen (§ 31 Abs. 1 Satz 2, § 32 Abs. 1 Satz 2 SGB II).")
HARDSHIP = ("Würde die Minderung im Einzelfall zu einer außergewöhnlichen Härte führen, wird nicht gemindert "
            "(§ 31a Abs. 3 SGB II); teilen Sie uns solche Umstände bitte mit.")
HEARING = ("Bevor über eine Minderung entschieden wird, erhalten Sie Gelegenheit, sich zu äußern (§ 24 SGB X); auf "
           "Wunsch auch persönlich.")
LIFTING = ("Erfüllen Sie die Pflicht nachträglich oder erklären Sie sich ernsthaft und nachhaltig dazu bereit, wird "
           "die Minderung aufgehoben, frühestens nach einem Monat (§ 31a Abs. 1 Satz 6, § 31b Abs. 2 SGB II).")
WITHDRAWAL = ("Der Regelbedarf entfällt nur, solange das Arbeitsangebot besteht, höchstens für zwei Monate; nehmen "
              "Sie die Arbeit auf oder erklären Sie sich ernsthaft dazu bereit, wird die Minderung aufgehoben.")
NO_LIFTING = "Eine Minderung wegen eines Meldeversäumnisses wird bei späterem Erscheinen nicht aufgehoben."


def _euro(amount: str) -> str:
    return f"{Decimal(amount):.2f}".replace(".", ",") + " €"


def _months(months: int) -> str:
    return "einen Monat" if months == 1 else f"{months} Monate"


def compute(regime: str, kind: str, stage: int, on: date, in_a_row: int = 0) -> Data:
    """The RFB for a breach of `kind` at `stage` (1 first, 2 first repeated, 3 further; for missed appointments
    under the reform: the number of this miss in a row) under `regime`, with the standard rate on `on`."""
    if regime not in REGIMES:
        raise ValueError(f"Unbekannter Rechtskreis »{regime}«.")
    if kind not in KINDS:
        raise ValueError(f"Unbekannte Art »{kind}«.")
    if regime == "neue_grundsicherung" and kind == "meldeversaeumnis":
        return _reform_missed_appointment(on, max(in_a_row, 0) + 1)
    row, following = legal.reduction_rule(regime, kind, stage), legal.reduction_rule(regime, kind, stage + 1)
    assert row is not None and following is not None  # the table defines stages 1-3 for both kinds
    rfb: Data = {
        "rechtskreis": regime, "art": kind, "stufe": max(1, min(stage, 3)), "prozent": row.percent,
        "betrag": str(legal.reduction_amount(row.percent, on)), "monate": row.months, "beginn": START,
        "wiederholung": {"prozent": following.percent, "betrag": str(legal.reduction_amount(following.percent, on)),
                         "monate": following.months},
        "wichtigerGrund": GOOD_REASON, "haerte": HARDSHIP, "anhoerung": HEARING,
        "aufhebung": (WITHDRAWAL if regime == "neue_grundsicherung" and kind == "arbeitsverweigerung"
                      else LIFTING if kind != "meldeversaeumnis" else NO_LIFTING),
        "rechtsgrundlage": row.provision, "quelle": row.source,
    }
    return rfb


def _reform_missed_appointment(on: date, number: int) -> Data:
    """Reform (source weaker than the statute): 1st miss no reduction, 2nd 30 % for a month, 3rd in a row:
    unreachable, the standard rate withdrawn and rent paid to the landlord for a month, then benefits end."""
    second = legal.reduction_rule("neue_grundsicherung", "meldeversaeumnis", 2)
    assert second is not None
    percent, months = (0, 0) if number == 1 else (second.percent, second.months)
    return {
        "rechtskreis": "neue_grundsicherung", "art": "meldeversaeumnis", "stufe": min(number, 3),
        "prozent": percent, "betrag": str(legal.reduction_amount(percent, on)), "monate": months, "beginn": START,
        "wiederholung": {"prozent": second.percent, "betrag": str(legal.reduction_amount(second.percent, on)),
                         "monate": second.months,
                         "unerreichbar": "Nach dem dritten versäumten Termin in Folge gelten Sie als nicht "
                                         "erreichbar: der Regelbedarf entfällt, die Miete wird für einen Monat an "
                                         "den Vermieter gezahlt, danach enden die Leistungen, wenn Sie sich nicht "
                                         "melden."},
        "wichtigerGrund": GOOD_REASON, "haerte": HARDSHIP, "anhoerung": HEARING, "aufhebung": NO_LIFTING,
        "rechtsgrundlage": second.provision, "quelle": second.source,
    }


def missing(rfb: Any) -> list[str]:
    """The elements a recorded RFB lacks (all of them if there is none)."""
    if not isinstance(rfb, dict):
        return list(ELEMENTS)
    return [name for name in ELEMENTS if rfb.get(name) in (None, "")]


def text(rfb: Data) -> str:
    """The RFB as the client reads it (German, without the statute at hand)."""
    repeat = rfb["wiederholung"]
    if rfb["prozent"]:
        consequence = (f"Kommen Sie dem ohne wichtigen Grund nicht nach, mindert sich Ihre Leistung um "
                       f"{rfb['prozent']} % des Regelbedarfs, das sind {_euro(rfb['betrag'])} monatlich, "
                       f"für {_months(rfb['monate'])}.")
    else:
        consequence = "Versäumen Sie diesen ersten Termin ohne wichtigen Grund, wird noch nicht gemindert."
    breach = rfb["art"] != "meldeversaeumnis"
    what = "einer weiteren Pflichtverletzung" if breach else "jedem weiteren versäumten Termin"
    further = (f"Bei {what} beträgt die Minderung {repeat['prozent']} % "
               f"({_euro(repeat['betrag'])} monatlich) für {_months(repeat['monate'])}.")
    parts = [consequence, rfb["beginn"], further]
    if repeat.get("unerreichbar"):
        parts.append(repeat["unerreichbar"])
    parts += [rfb["wichtigerGrund"], rfb["haerte"], rfb["aufhebung"], rfb["anhoerung"]]
    return " ".join(parts)
