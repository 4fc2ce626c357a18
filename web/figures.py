"""Weekly figures (Wochenzahlen) per IFK and team: a table and two charts drawn on the server as SVG.

Team figures are not secret inside a team: an IFK sees the whole team's table with their own row
highlighted, a Teamleitung sees the same table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import Blueprint, current_app, render_template, request

from engine.domain.staff import SESSIONS_PER_WEEK_PER_FTE
from engine.figures import TeamWeek, week_start_of, weekly_figures
from engine.runtime.clock import BERLIN
from web.auth import case_worker_required, me

blueprint = Blueprint("figures", __name__)

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_NBSP = "\u00a0"

# Chart geometry (SVG user units).
LABEL_WIDTH = 190
ROW_HEIGHT = 28
BAR_HEIGHT = 16
TOP = 8
SESSIONS_BAR_WIDTH = 360
SESSIONS_WIDTH = LABEL_WIDTH + SESSIONS_BAR_WIDTH + 110
SHARE_BAR_WIDTH = 200
SHARE_WIDTH = LABEL_WIDTH + SHARE_BAR_WIDTH + 120


def chosen_day(value: str | None, today: date) -> date:
    """The day asked for with ?woche=YYYY-MM-DD; anything else (or a day out of range) means today."""
    if not value or not _ISO_DAY.fullmatch(value):
        return today
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return today
    return day if 1900 <= day.year <= 9000 else today


def number(value: float) -> str:
    """German decimal, at most two places, no trailing zeros: 20.0 -> "20", 7.5 -> "7,5", 0.75 -> "0,75"."""
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def percent(share: float | None) -> str:
    """German percentage, rounded half up: 0.625 -> "63 %" (with a no-break space); None -> "–"."""
    if share is None:
        return "–"
    rounded = Decimal(str(share * 100)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{rounded}{_NBSP}%"


def german_date(day: date) -> str:
    return day.strftime("%d.%m.%Y")


@dataclass(frozen=True)
class Bar:
    label: str
    y: int  # top of the row
    value_width: float  # the bar (Ist)
    target_width: float | None  # the dashed marker (Soll), if any
    text: str  # the value written beside the bar
    text_x: float
    own: bool  # the signed-in person's row


@dataclass(frozen=True)
class Chart:
    title: str  # German summary, used as <title> and aria-label
    width: int
    height: int
    bars: list[Bar]


def sessions_chart(figures: TeamWeek, username: str) -> Chart:
    """Held sessions per IFK as horizontal bars, the target (20 × VZÄ) as a dashed frame."""
    scale = max([1.0, *(row.sessions for row in figures.rows), *(row.target for row in figures.rows)])
    bars = []
    for index, row in enumerate(figures.rows):
        value = SESSIONS_BAR_WIDTH * row.sessions / scale
        target = SESSIONS_BAR_WIDTH * row.target / scale
        bars.append(Bar(row.display_name, TOP + index * ROW_HEIGHT, round(value, 1), round(target, 1),
                        f"{row.sessions} von {number(row.target)}", LABEL_WIDTH + max(value, target) + 6,
                        row.username == username))
    period = f"{german_date(figures.week_start)} bis {german_date(figures.week_end)}"
    parts = [f"{row.display_name} {row.sessions} von {number(row.target)}" for row in figures.rows]
    title = (f"Gehaltene Beratungsgespräche je Integrationsfachkraft vom {period}, Soll {SESSIONS_PER_WEEK_PER_FTE} "
             f"je VZÄ: " + ("; ".join(parts) if parts else "keine Integrationsfachkräfte im Team") + ".")
    return Chart(title, SESSIONS_WIDTH, TOP * 2 + max(1, len(bars)) * ROW_HEIGHT, bars)


def share_chart(figures: TeamWeek, username: str) -> Chart:
    """Share of sessions in person per IFK, 0-100 %."""
    bars = []
    for index, row in enumerate(figures.rows):
        share = row.share_in_person
        value = SHARE_BAR_WIDTH * (share or 0.0)
        text = percent(share) if share is not None else "keine Gespräche"
        bars.append(Bar(row.display_name, TOP + index * ROW_HEIGHT, round(value, 1), None, text,
                        LABEL_WIDTH + SHARE_BAR_WIDTH + 6, row.username == username))
    parts = [f"{row.display_name} "
             + (percent(row.share_in_person) if row.share_in_person is not None else "keine Gespräche")
             for row in figures.rows]
    title = (f"Anteil der Gespräche in Präsenz je Integrationsfachkraft vom {german_date(figures.week_start)} bis "
             f"{german_date(figures.week_end)}: " + ("; ".join(parts) if parts else "keine Integrationsfachkräfte")
             + ".")
    return Chart(title, SHARE_WIDTH, TOP * 2 + max(1, len(bars)) * ROW_HEIGHT, bars)


@blueprint.get("/wochenzahlen")
@case_worker_required
def weekly() -> Any:
    services = current_app.extensions["sro"]
    now = services.engine.clock.now()
    today = now.astimezone(BERLIN).date()
    week = week_start_of(chosen_day(request.args.get("woche"), today))
    member = me()
    with services.engine.database.session() as session:
        figures = weekly_figures(session, member.team or "", week, now)
    return render_template(
        "figures.html", figures=figures, username=member.username,
        sessions_chart=sessions_chart(figures, member.username), share_chart=share_chart(figures, member.username),
        current_week=week_start_of(today), per_fte=SESSIONS_PER_WEEK_PER_FTE,
        zahl=number, prozent=percent, label_width=LABEL_WIDTH, bar_height=BAR_HEIGHT,
        row_height=ROW_HEIGHT, share_bar_width=SHARE_BAR_WIDTH)
