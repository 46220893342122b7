"""Administrators manage accounts: create, disable, reset. Not other people's assessments."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from advisor.extensions import db
from advisor.forms.auth import NewUserForm, PlainForm
from advisor.models import User
from advisor.services import accounts
from advisor.views.common import refused_on

bp = Blueprint("admin", __name__, url_prefix="/admin")


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated or not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _page(form: NewUserForm, shown: dict[str, str] | None = None) -> str:
    """The accounts page; ``shown`` is a new account's one-time password, displayed this once."""
    users = accounts.users(db.session)
    return render_template("admin/users.html", users=users, form=form, plain=PlainForm(), shown=shown)


@bp.get("/users")
@admin_required
def users() -> str:
    return _page(NewUserForm())


@bp.post("/users")
@admin_required
def create_user() -> str | tuple[str, int]:
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user, temporary = accounts.invite_user(db.session, form.email.data or "", is_admin=bool(form.is_admin.data))
        except accounts.AccountError as exc:
            refused_on(form.email, exc)
        else:
            db.session.commit()
            return _page(NewUserForm(formdata=None), {"email": user.email, "password": temporary})
    return _page(form), 422


def _target(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if not PlainForm().validate_on_submit():
        abort(400)
    return user


@bp.post("/users/<int:user_id>/disable")
@admin_required
def disable(user_id: int) -> Response:
    user = _target(user_id)
    if user.id == current_user.id:
        flash("You cannot disable your own account.", "error")
        return redirect(url_for(".users"))
    accounts.set_disabled(user, not user.disabled)
    db.session.commit()
    flash(f"{user.email} {'disabled' if user.disabled else 'enabled again'}.", "success")
    return redirect(url_for(".users"))


@bp.post("/users/<int:user_id>/reset")
@admin_required
def reset(user_id: int) -> str:
    user = _target(user_id)
    temporary = accounts.reset_password(user)
    db.session.commit()
    return render_template(
        "admin/users.html",
        users=accounts.users(db.session),
        form=NewUserForm(formdata=None),
        plain=PlainForm(),
        shown={"email": user.email, "password": temporary},
    )
