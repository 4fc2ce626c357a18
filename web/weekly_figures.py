"""Weekly figures (Wochenzahlen) per IFK and team: a table and two charts drawn on the server as SVG.

Team figures are not secret inside a team: an IFK sees the whole team's table with their own row
highlighted, a Teamleitung sees the same table. The charts are plain SVG bars computed here and drawn
by the template: no chart library or JavaScript is needed for horizontal bars, and the page stays
readable with scripts off (the strict Content-Security-Policy allows scripts from this site only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, render_template, request

from engine.domain.staff import SESSIONS_PER_WEEK_PER_FTE
from engine.queries import TeamWeek, weekly_figures
from engine.runtime.clock import week_start_of
from engine.runtime.formatting import date_text, number_text, percent_text
from web.auth import case_role_required, me, services

blueprint = Blueprint("figures", __name__)

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

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
    track_width: float | None = None  # a grey track behind every bar (shares: the full 100 %)


def sessions_chart(figures: TeamWeek, username: str) -> Chart:
    """Held sessions per IFK as horizontal bars, the target (20 × VZÄ) as a dashed frame."""
    scale = max([1.0, *(row.sessions for row in figures.rows), *(row.target for row in figures.rows)])
    bars = []
    for index, row in enumerate(figures.rows):
        value = SESSIONS_BAR_WIDTH * row.sessions / scale
        target = SESSIONS_BAR_WIDTH * row.target / scale
        bars.append(Bar(row.display_name, TOP + index * ROW_HEIGHT, round(value, 1), round(target, 1),
                        f"{row.sessions} von {number_text(row.target)}", LABEL_WIDTH + max(value, target) + 6,
                        row.username == username))
    period = f"{date_text(figures.week_start)} bis {date_text(figures.week_end)}"
    parts = [f"{row.display_name} {row.sessions} von {number_text(row.target)}" for row in figures.rows]
    title = (f"Gehaltene Beratungsgespräche je Integrationsfachkraft vom {period}, Soll {SESSIONS_PER_WEEK_PER_FTE} "
             f"je VZÄ: " + ("; ".join(parts) if parts else "keine Integrationsfachkräfte im Team") + ".")
    return Chart(title, SESSIONS_WIDTH, TOP * 2 + max(1, len(bars)) * ROW_HEIGHT, bars)


def share_chart(figures: TeamWeek, username: str) -> Chart:
    """Share of sessions in person per IFK, 0-100 %."""
    bars = []
    for index, row in enumerate(figures.rows):
        share = row.share_in_person
        value = SHARE_BAR_WIDTH * (share or 0.0)
        text = percent_text(share) if share is not None else "keine Gespräche"
        bars.append(Bar(row.display_name, TOP + index * ROW_HEIGHT, round(value, 1), None, text,
                        LABEL_WIDTH + SHARE_BAR_WIDTH + 6, row.username == username))
    parts = [f"{row.display_name} "
             + (percent_text(row.share_in_person) if row.share_in_person is not None else "keine Gespräche")
             for row in figures.rows]
    title = (f"Anteil der Gespräche in Präsenz je Integrationsfachkraft vom {date_text(figures.week_start)} bis "
             f"{date_text(figures.week_end)}: " + ("; ".join(parts) if parts else "keine Integrationsfachkräfte")
             + ".")
    return Chart(title, SHARE_WIDTH, TOP * 2 + max(1, len(bars)) * ROW_HEIGHT, bars, SHARE_BAR_WIDTH)


@blueprint.get("/wochenzahlen")
@case_role_required
def weekly() -> Any:
    today = services().clock.today()
    member = me()
    figures = weekly_figures(services(), member.team or "", chosen_day(request.args.get("woche"), today))
    return render_template(
        "figures.html", figures=figures, username=member.username,
        sessions_chart=sessions_chart(figures, member.username), share_chart=share_chart(figures, member.username),
        current_week=week_start_of(today), per_fte=SESSIONS_PER_WEEK_PER_FTE,
        zahl=number_text, prozent=percent_text, label_width=LABEL_WIDTH, bar_height=BAR_HEIGHT,
        row_height=ROW_HEIGHT)
