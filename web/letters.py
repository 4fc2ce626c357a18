"""Letters in the case file: HTML preview, PDF, and recording a letter as sent (event log with its hash)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, url_for

from engine.workplace.letters import Letters
from web.auth import case_role_required, me, workplace

blueprint = Blueprint("letters", __name__)


def _letters() -> Letters:
    return Letters(workplace())


@blueprint.get("/faelle/<int:case_id>/schreiben")
@case_role_required
def overview(case_id: int) -> Any:
    letters = _letters()
    return render_template("letters.html", case_id=case_id, letters=letters.of_case(me(), case_id),
                           statuses=letters.statuses(me(), case_id))


@blueprint.get("/faelle/<int:case_id>/schreiben/<kind>/<int:nr>")
@case_role_required
def preview(case_id: int, kind: str, nr: int) -> Any:
    letter = _letters().letter(me(), case_id, kind, nr)
    # The letter is a whole document of its own: shown sandboxed, without scripts, inside the case file page.
    return render_template("letter.html", case_id=case_id, kind=kind, nr=nr, letter=letter)


@blueprint.get("/faelle/<int:case_id>/schreiben/<kind>/<int:nr>.pdf")
@case_role_required
def pdf(case_id: int, kind: str, nr: int) -> Any:
    letter = _letters().letter(me(), case_id, kind, nr)
    return Response(letter.pdf(), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{kind}-{nr}.pdf"'})


@blueprint.post("/faelle/<int:case_id>/schreiben/<kind>/<int:nr>/versandt")
@case_role_required
def sent(case_id: int, kind: str, nr: int) -> Any:
    record = _letters().send(me(), case_id, kind, nr)
    flash(f"Versand festgehalten (SHA-256 {record['sha256'][:16]}…).", "hinweis")
    return redirect(url_for("letters.preview", case_id=case_id, kind=kind, nr=nr))
