"""Workspaces: create shared ones, and (as an owner) manage who is in them with which role."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from advisor.extensions import db
from advisor.forms.auth import MemberForm, PlainForm, RoleForm, WorkspaceForm
from advisor.models import Membership, Workspace
from advisor.services import workspaces as svc
from advisor.services.accounts import AccountError

bp = Blueprint("workspaces", __name__, url_prefix="/workspaces")


def _workspace(workspace_id: int, needed: str = "viewer") -> Workspace:
    workspace = db.session.get(Workspace, workspace_id)
    role = svc.role_of(db.session, current_user, workspace_id) if workspace else None
    if workspace is None or role is None:
        abort(404)
    if not svc.allows(role, needed):
        abort(403)
    return workspace


@bp.get("/")
def index() -> str:
    return render_template(
        "workspaces/index.html", memberships=svc.memberships(db.session, current_user), form=WorkspaceForm()
    )


@bp.post("/")
def create() -> Response | tuple[str, int]:
    form = WorkspaceForm()
    if form.validate_on_submit():
        workspace = svc.create_workspace(db.session, form.name.data or "", current_user)
        db.session.commit()
        flash(f"Workspace “{workspace.name}” created.", "success")
        return redirect(url_for(".show", workspace_id=workspace.id))
    memberships = svc.memberships(db.session, current_user)
    return render_template("workspaces/index.html", memberships=memberships, form=form), 422


@bp.get("/<int:workspace_id>")
def show(workspace_id: int) -> str:
    workspace = _workspace(workspace_id)
    role = svc.role_of(db.session, current_user, workspace_id)
    return render_template(
        "workspaces/show.html",
        workspace=workspace,
        role=role,
        form=MemberForm(),
        role_form=RoleForm(),
        plain=PlainForm(),
    )


@bp.post("/<int:workspace_id>/members")
def add_member(workspace_id: int) -> Response | tuple[str, int]:
    workspace = _workspace(workspace_id, "owner")
    form = MemberForm()
    if form.validate_on_submit():
        try:
            membership = svc.add_member(
                db.session, workspace, form.email.data or "", form.role.data or "viewer", current_user.email
            )
        except AccountError as exc:
            db.session.rollback()
            form.email.errors = [*form.email.errors, str(exc)]
        else:
            db.session.commit()
            flash(f"{membership.user.email} added as {membership.role}.", "success")
            return redirect(url_for(".show", workspace_id=workspace_id))
    html = render_template(
        "workspaces/show.html", workspace=workspace, role="owner", form=form, role_form=RoleForm(), plain=PlainForm()
    )
    return html, 422


def _membership(workspace: Workspace, membership_id: int) -> Membership:
    membership = next((m for m in workspace.memberships if m.id == membership_id), None)
    if membership is None:
        abort(404)
    return membership


@bp.post("/<int:workspace_id>/members/<int:membership_id>/role")
def change_role(workspace_id: int, membership_id: int) -> Response:
    workspace = _workspace(workspace_id, "owner")
    membership = _membership(workspace, membership_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        svc.change_role(db.session, workspace, membership, form.role.data or "viewer", current_user.email)
    except AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(f"{membership.user.email} is now {membership.role}.", "success")
    return redirect(url_for(".show", workspace_id=workspace_id))


@bp.post("/<int:workspace_id>/members/<int:membership_id>/remove")
def remove_member(workspace_id: int, membership_id: int) -> Response:
    workspace = _workspace(workspace_id, "owner")
    membership = _membership(workspace, membership_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    email = membership.user.email
    try:
        svc.remove_member(db.session, workspace, membership, current_user.email)
    except AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(f"{email} removed.", "success")
    return redirect(url_for(".show", workspace_id=workspace_id))
