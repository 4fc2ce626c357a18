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
    version: int  # of the person's sessions when this one began (SignInVersion)
    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False

    def get_id(self) -> str:
        """What the session cookie keeps: the name and the session version, checked on every request."""
        return f"{self.version}:{self.username}"

    @classmethod
    def of(cls, member: StaffMember, version: int) -> SignedIn:
        return cls(member.username, member.display_name, member.role, member.team, member.fte, version)

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


def load_user(user_id: str) -> SignedIn | None:
    """The person of a session, if the session is still valid: signing out, a new password or another role move
    the person's session version on, and every older session ends (a copied cookie opens nothing)."""
    version, _, username = user_id.partition(":")
    if not version.isascii() or not version.isdigit() or len(version) > 9 or not username:
        return None
    member = workplace().signed_in(username, int(version))
    return SignedIn.of(member, int(version)) if member is not None else None


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
        member = workplace().authenticate(username, request.form.get("passwort", ""), address=request.remote_addr)
        if member is None:
            flash("Benutzername oder Passwort stimmen nicht.", "fehler")
            return render_template("login.html", username=username[:80]), 401
        login_user(SignedIn.of(member, workplace().session_version(member.username)))
        return redirect(local_path(request.args.get("next"), url_for("auth.home")))
    return render_template("login.html", username="")


@blueprint.post("/abmelden")
@login_required
def logout() -> Any:
    workplace().sign_out(me())
    logout_user()
    flash("Sie sind abgemeldet.", "hinweis")
    return redirect(url_for("auth.login"))
