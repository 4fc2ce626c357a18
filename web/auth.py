"""Sign-in and sign-out with local accounts; who may see case data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from engine.domain.staff import StaffMember
from engine.services import Services
from engine.workplace.commands import Workplace

blueprint = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class SignedIn:
    """The signed-in person as Flask-Login sees it (a plain copy, no database session attached)."""

    username: str
    display_name: str
    role: str
    team: str | None
    fte: float
    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False

    def get_id(self) -> str:
        return self.username

    @property
    def member(self) -> StaffMember:
        return StaffMember(username=self.username, display_name=self.display_name, role=self.role, team=self.team,
                           fte=self.fte, active=True)

    @property
    def sees_cases(self) -> bool:
        return self.member.sees_cases


def services() -> Services:
    """The app's services (built by engine.bootstrap, handed to create_app)."""
    found: Services = current_app.extensions["sro"]
    return found


def workplace() -> Workplace:
    found: Workplace = current_app.extensions["sro.workplace"]
    return found


def local_path(target: str | None, default: str) -> str:
    """A path on this site, or the default: redirects never leave the site."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return default
    return target


def load_user(username: str) -> SignedIn | None:
    member = workplace().member(username)
    if member is None:
        return None
    return SignedIn(member.username, member.display_name, member.role, member.team, member.fte)


def me() -> StaffMember:
    signed_in: SignedIn = current_user
    return signed_in.member


def case_role_required(view: F) -> F:
    """Views with social data: the roles that see cases (IFK, team leads); everyone else gets 403."""

    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not me().sees_cases:
            workplace().refuse(me(), request.path)
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@blueprint.get("/")
@login_required
def home() -> Any:
    return redirect(url_for("inbox.show") if me().sees_cases else url_for("processes.show"))


@blueprint.route("/anmelden", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "POST":
        username = request.form.get("benutzer", "").strip()
        member = workplace().authenticate(username, request.form.get("passwort", ""))
        if member is None:
            flash("Benutzername oder Passwort stimmen nicht.", "fehler")
            return render_template("login.html", username=username), 401
        login_user(SignedIn(member.username, member.display_name, member.role, member.team, member.fte))
        return redirect(local_path(request.args.get("next"), url_for("auth.home")))
    return render_template("login.html", username="")


@blueprint.post("/abmelden")
@login_required
def logout() -> Any:
    logout_user()
    flash("Sie sind abgemeldet.", "hinweis")
    return redirect(url_for("auth.login"))
