"""Signing in and out, the one-time administrator set-up, passwords and personal API tokens."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from advisor.extensions import db, limiter, login_manager
from advisor.forms.auth import ChangePasswordForm, LoginForm, PlainForm, SetupForm, TokenForm
from advisor.models import User
from advisor.services import accounts
from advisor.services.throttle import SignInDelays
from advisor.views.common import refused_on

bp = Blueprint("auth", __name__)

# reachable without signing in (share links and the API authenticate their own way)
PUBLIC_ENDPOINTS = {
    "static",
    "health.healthz",
    "auth.setup",
    "auth.login",
    "share.view",
    "share.export",
    "share.bundle",
    "main.export_schema",
}
PASSWORD_CHANGE_ENDPOINTS = {"auth.password", "auth.logout", "static"}
API_PREFIX = "/api/"
SESSION_KEY = "sid"  # the server-side sign-in this browser session belongs to
GENERIC_FAILURE = "The email or password is not correct, or the account is disabled."


def load_user(identifier: str) -> User | None:
    """The cookie names the account, its nonce and a server-side sign-in; signing out, the sign-in's
    time limit, a changed password or a disabled account each end it."""
    user_id, _, nonce = identifier.partition(":")
    raw = session.get(SESSION_KEY)
    if not user_id.isdigit() or len(user_id) > 10 or not isinstance(raw, str):
        return None
    return accounts.user_for_session(db.session, int(user_id), nonce, raw)


def _has_users() -> bool:
    """Cached once true: accounts are never all removed from a running instance."""
    if current_app.extensions.get("advisor.has_users"):
        return True
    present = accounts.user_count(db.session) > 0
    current_app.extensions["advisor.has_users"] = present
    return present


def gate() -> Response | None:
    """Before every request: first-run set-up, then sign-in, then a forced password change."""
    endpoint = request.endpoint or ""
    # the API answers JSON, always: its routes check their token, and unknown ones answer a JSON 404/405
    if endpoint in ("static", "health.healthz", "health.readyz") or request.path.startswith(API_PREFIX):
        return None
    if not _has_users():
        return None if endpoint == "auth.setup" else redirect(url_for("auth.setup"))
    if endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    if current_user.must_change_password and endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        flash("Choose a new password before you go on.", "error")
        return redirect(url_for("auth.password"))
    return None


def init_app(app: Flask) -> None:
    login_manager.user_loader(load_user)
    app.before_request(gate)


def safe_next(target: str | None) -> str:
    """A path on this site to go on to after signing in, else the dashboard.

    Browsers drop tabs and newlines from a URL and read a backslash as a slash, so "/", a tab, then
    "/evil.example" would leave the site: anything holding a control character, a space or a backslash
    is refused before the URL is split, and the split URL must name no scheme and no host.
    """
    home = url_for("main.index")
    if not target or any(c <= " " or c in "\\\x7f" for c in target):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return home
    return target


def _sign_in(user: User) -> None:
    """A new session at every sign-in (nothing from before carries over), held on the server too.

    The cookie lapses after ``ADVISOR_SESSION_IDLE_MINUTES`` without a request (its signed timestamp
    is checked on every request); the server-side sign-in ends ``ADVISOR_SESSION_HOURS`` after it
    began, however busy it is.
    """
    raw = accounts.start_session(db.session, user, current_app.config["SESSION_LIFETIME"])
    db.session.commit()
    session.clear()
    login_user(user)
    session[SESSION_KEY] = raw
    session.permanent = True


@bp.route("/setup", methods=["GET", "POST"])
def setup() -> str | Response | tuple[str, int]:
    """Create the first administrator; gone for good once any account exists."""
    if _has_users():
        abort(404)
    form = SetupForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(db.session, form.email.data or "", form.password.data or "", is_admin=True)
        except accounts.AccountError as exc:
            refused_on(form.password, exc)
            return render_template("auth/setup.html", form=form), 422
        db.session.commit()
        current_app.extensions["advisor.has_users"] = True
        _sign_in(user)
        flash("Administrator account created. Welcome.", "success")
        return redirect(url_for("main.index"))
    return render_template("auth/setup.html", form=form)


def _delays() -> SignInDelays:
    config = current_app.config
    return SignInDelays(limiter.storage, config["LOGIN_FREE_FAILURES"], config["LOGIN_MAX_DELAY_SECONDS"])


def _failed(response: Response) -> bool:
    return response.status_code == 401


@bp.route("/login", methods=["GET", "POST"])
# per address, failed attempts only: signing in successfully never uses up anyone's allowance
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed)
def login() -> str | Response | tuple[str, int] | tuple[str, int, dict[str, str]]:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data or ""
        delays = _delays()
        wait = delays.wait(email)
        if wait:  # the password is not even checked: guessing gains nothing, and the owner waits seconds, not a day
            message = f"Too many failed sign-ins to this account: wait {wait} seconds, then try again."
            return render_template("auth/login.html", form=form, failed=message), 429, {"Retry-After": str(wait)}
        user = accounts.authenticate(db.session, email, form.password.data or "")
        if user is None:
            db.session.rollback()
            delays.failed(email)
            return render_template("auth/login.html", form=form, failed=GENERIC_FAILURE), 401
        db.session.commit()
        delays.succeeded(email)
        _sign_in(user)
        return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form, failed=None)


@bp.post("/logout")
def logout() -> Response:
    form = PlainForm()
    if not form.validate_on_submit():
        abort(400)
    raw = session.get(SESSION_KEY)
    if isinstance(raw, str):
        accounts.end_session(db.session, raw)
        db.session.commit()
    logout_user()
    session.clear()
    flash("Signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def password() -> str | Response | tuple[str, int]:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current.data or "", form.password.data or "")
        except accounts.AccountError as exc:
            refused_on(form.password, exc)
            return render_template("auth/password.html", form=form), 422
        db.session.commit()
        _sign_in(current_user._get_current_object())  # the nonce changed: renew this session only
        flash("Password changed. Other sessions of this account have been signed out.", "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/password.html", form=form)


@bp.get("/account")
def account() -> str:
    tokens = accounts.api_tokens(db.session, current_user)
    return render_template("auth/account.html", tokens=tokens, form=TokenForm(), plain=PlainForm(), new_token=None)


@bp.post("/account/tokens")
def create_token() -> str | Response | tuple[str, int]:
    form = TokenForm()
    if not form.validate_on_submit():
        tokens = accounts.api_tokens(db.session, current_user)
        return render_template("auth/account.html", tokens=tokens, form=form, plain=PlainForm(), new_token=None), 422
    raw, _ = accounts.create_api_token(db.session, current_user, form.name.data or "")
    db.session.commit()
    tokens = accounts.api_tokens(db.session, current_user)
    # shown this once; only its hash is stored
    return render_template(
        "auth/account.html", tokens=tokens, form=TokenForm(formdata=None), plain=PlainForm(), new_token=raw
    )


@bp.post("/account/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int) -> Response:
    token = accounts.api_token_of(db.session, current_user, token_id)
    if token is None:
        abort(404)
    if not PlainForm().validate_on_submit():
        abort(400)
    accounts.revoke_api_token(token)
    db.session.commit()
    flash(f"Token “{token.name}” revoked.", "success")
    return redirect(url_for("auth.account"))
