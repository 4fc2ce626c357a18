"""Letters in the case file: HTML preview, PDF, and recording a letter as sent (event log with its hash)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from engine.runtime.errors import FormError
from engine.runtime.formatting import date_text
from engine.workplace.letters import DELIVERY_FIELD, Letters
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


@blueprint.post("/faelle/<int:case_id>/schreiben/minderungsbescheid/<int:nr>/zugang")
@case_role_required
def delivery(case_id: int, nr: int) -> Any:
    try:
        record = _letters().record_delivery(me(), case_id, nr, request.form.get(DELIVERY_FIELD, ""))
    except FormError as error:
        flash(error.errors.get(DELIVERY_FIELD, str(error)), "fehler")
    else:
        flash(f"Zugang am {date_text(record['zugangAm'])} festgehalten; die Minderung beginnt am "
              f"{date_text(record['beginn'])}.", "hinweis")
    return redirect(url_for("letters.preview", case_id=case_id, kind="minderungsbescheid", nr=nr))
