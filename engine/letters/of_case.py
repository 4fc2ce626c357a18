"""Which letters a case's data yields (a demand with its RFB, a reduction decision, a lifting decision) and the
fields of each; the dates are those of the event itself, so a letter can be made again identically later."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.letters import fields
from engine.runtime.formatting import date_text

TITLES = {"aufforderung": "Aufforderung mit Rechtsfolgenbelehrung", "minderungsbescheid": "Minderungsbescheid",
          "aufhebungsbescheid": "Aufhebungsbescheid"}


@dataclass(frozen=True)
class CaseLetter:
    kind: str
    nr: int
    title: str
    data: dict[str, Any]


def letters_of(data: Mapping[str, Any], case: Mapping[str, Any]) -> list[CaseLetter]:
    """Every letter the case data yields, in the order of the lists they come from."""
    found: list[CaseLetter] = []
    for demand in data.get("aufforderungen") or ():
        if isinstance(demand.get("rfb"), dict):
            found.append(CaseLetter("aufforderung", int(demand["nr"]), f"Aufforderung {demand['nr']}: "
                                    f"{demand.get('schritt')}, Frist {date_text(demand.get('frist'))}",
                                    fields.demand(case, demand["erstelltAm"], demand, demand.get("nachweis") or
                                                  "Bitte legen Sie einen geeigneten Nachweis vor")))
    for number, reduction in enumerate(data.get("minderungen") or (), start=1):
        if reduction.get("bescheidAm") is None:
            continue
        found.append(CaseLetter("minderungsbescheid", number, f"Minderungsbescheid vom "
                                f"{date_text(reduction['bescheidAm'])}: {reduction['prozent']} % ab "
                                f"{date_text(reduction['beginn'])}",
                                fields.decision(case, reduction["bescheidAm"], reduction)))
        if reduction.get("aufgehobenAm") is not None:
            found.append(CaseLetter("aufhebungsbescheid", number, f"Aufhebung der Minderung vom "
                                    f"{date_text(reduction['bescheidAm'])}, endet am {date_text(reduction['ende'])}",
                                    fields.lifting(case, reduction["aufgehobenAm"], reduction)))
    return found


def find(data: Mapping[str, Any], case: Mapping[str, Any], kind: str, nr: int) -> CaseLetter | None:
    return next((letter for letter in letters_of(data, case) if (letter.kind, letter.nr) == (kind, nr)), None)
