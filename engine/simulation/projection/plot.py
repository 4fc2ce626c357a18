"""The projection's chart as SVG.

Sessions per counsellor and week (mean, range, minimum) above; demands, reductions and cases without a
next contact below.

Written by hand, as the weekly-figures page draws its charts: two panels of lines, bars and labels are a
few dozen lines of SVG, while a plotting library (matplotlib) would add numpy and a font stack to the
installation for one file, and its SVG differs from version to version.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from engine.domain.staff import SESSIONS_PER_WEEK_PER_FTE
from engine.runtime.formatting import date_text
from engine.simulation.projection.results import ProjectionResult


def write_plot(result: ProjectionResult, path: Path) -> None:
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
    title = (f"Fallbestandsprojektion »{result.behaviour}«: {result.cases} Fälle, {result.counsellors} IFK, "
             f"{result.months} Monate ab {date_text(result.start)} (Seed {result.seed})")
    add(f'<text x="{left}" y="28" font-size="16" font-weight="bold">{_esc(title)}</text>')
    # Top panel: sessions per counsellor and week.
    highs = [max(row.sessions_per_counsellor.values(), default=0) for row in rows]
    lows = [min(row.sessions_per_counsellor.values(), default=0) for row in rows]
    means = [row.mean_per_counsellor for row in rows]
    top = nice(max([*highs, SESSIONS_PER_WEEK_PER_FTE, 1]) * 1.1)
    add(f'<text x="{left}" y="{top_panel[0] - 10}" font-size="13">Beratungsgespräche je IFK und Woche '
        '(Mittel, Spanne der IFK, Mindestwert je VZÄ)</text>')
    _axis(parts, left, width - right, top_panel, top, scale)
    if rows:
        band = [f"{x(i):.1f},{scale(high, top, top_panel):.1f}" for i, high in enumerate(highs)]
        band += [f"{x(i):.1f},{scale(low, top, top_panel):.1f}" for i, low in reversed(list(enumerate(lows)))]
        add(f'<polygon points="{" ".join(band)}" fill="#9ecae1" fill-opacity="0.45" stroke="none"/>')
        line = " ".join(f"{x(i):.1f},{scale(mean, top, top_panel):.1f}" for i, mean in enumerate(means))
        add(f'<polyline points="{line}" fill="none" stroke="#08519c" stroke-width="2"/>')
    minimum = scale(SESSIONS_PER_WEEK_PER_FTE, top, top_panel)
    add(f'<line x1="{left}" y1="{minimum:.1f}" x2="{width - right}" y2="{minimum:.1f}" stroke="#b3261e" '
        'stroke-width="1.5" stroke-dasharray="6 4"/>')
    add(f'<text x="{width - right + 4}" y="{minimum + 4:.1f}" font-size="11" fill="#b3261e">'
        f'{SESSIONS_PER_WEEK_PER_FTE} je VZÄ</text>')
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
                    f'{date_text(row.monday)[:6]}</text>')
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
