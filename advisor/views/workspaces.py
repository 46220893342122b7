"""Workspaces: create shared ones, (as an owner) manage who is in them with which role, and leave them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from advisor.extensions import db
from advisor.forms.auth import MemberEntryForm, MemberForm, PlainForm, RoleForm, WorkspaceForm
from advisor.models import Workspace
from advisor.services import workspaces
from advisor.services.accounts import AccountError, normalise_email
from advisor.views.common import carry_out, refused_on

bp = Blueprint("workspaces", __name__, url_prefix="/workspaces")


def _workspace(workspace_id: int, needed: str = "viewer") -> Workspace:
    workspace = db.session.get(Workspace, workspace_id)
    role = workspaces.role_of(db.session, current_user, workspace_id) if workspace else None
    if workspace is None or role is None:
        abort(404)
    if not workspaces.allows(role, needed):
        abort(403)
    return workspace


@bp.get("/")
def index() -> str:
    return render_template(
        "workspaces/index.html", memberships=workspaces.memberships(db.session, current_user), form=WorkspaceForm()
    )


@bp.post("/")
def create() -> Response | tuple[str, int]:
    form = WorkspaceForm()
    if form.validate_on_submit():
        workspace = workspaces.create_workspace(db.session, form.name.data or "", current_user)
        db.session.commit()
        flash(f"Workspace “{workspace.name}” created.", "success")
        return redirect(url_for(".show", workspace_id=workspace.id))
    memberships = workspaces.memberships(db.session, current_user)
    return render_template("workspaces/index.html", memberships=memberships, form=form), 422


def _page(workspace: Workspace, form: MemberForm | None = None) -> str:
    return render_template(
        "workspaces/show.html",
        workspace=workspace,
        role=workspaces.role_of(db.session, current_user, workspace.id),
        listing=workspaces.listing(db.session, workspace),
        form=form or MemberForm(),
        plain=PlainForm(),
    )


@bp.get("/<int:workspace_id>")
def show(workspace_id: int) -> str:
    return _page(_workspace(workspace_id))


@bp.post("/<int:workspace_id>/members")
def add_member(workspace_id: int) -> Response | tuple[str, int]:
    """The same answer whether or not the email has an account: added as a member, or invited."""
    workspace = _workspace(workspace_id, "owner")
    form = MemberForm()
    if form.validate_on_submit():
        email, role = normalise_email(form.email.data or ""), form.role.data or "viewer"
        try:
            workspaces.add_member(db.session, workspace, email, role, current_user.email)
        except AccountError as exc:
            refused_on(form.email, exc)
        else:
            db.session.commit()
            flash(f"{email} added as {role}.", "success")
            return redirect(url_for(".show", workspace_id=workspace_id))
    return _page(workspace, form), 422


def _entry(workspace: Workspace, form: MemberEntryForm) -> workspaces.Entry:
    """The member or invitation the posted form names; 404 when this workspace has none with that email."""
    if not form.validate_on_submit():
        abort(400)
    entry = workspaces.find_entry(db.session, workspace, form.email.data or "")
    if entry is None:
        abort(404)
    return entry


@bp.post("/<int:workspace_id>/members/role")
def change_role(workspace_id: int) -> Response:
    workspace = _workspace(workspace_id, "owner")
    form = RoleForm()
    entry = _entry(workspace, form)
    email = workspaces.email_of(entry)
    return carry_out(
        lambda: workspaces.change_role(db.session, workspace, entry, form.role.data or "viewer", current_user.email),
        done=f"{email} is now {form.role.data}.",
        to=url_for(".show", workspace_id=workspace_id),
        refused=(AccountError,),
    )


@bp.post("/<int:workspace_id>/members/remove")
def remove_member(workspace_id: int) -> Response:
    workspace = _workspace(workspace_id, "owner")
    entry = _entry(workspace, MemberEntryForm())
    email = workspaces.email_of(entry)
    return carry_out(
        lambda: workspaces.remove_member(db.session, workspace, entry, current_user.email),
        done=f"{email} removed.",
        to=url_for(".show", workspace_id=workspace_id),
        refused=(AccountError,),
    )


@bp.route("/<int:workspace_id>/leave", methods=["GET", "POST"])
def leave(workspace_id: int) -> str | Response:
    """Any member may leave a shared workspace, but not its last owner; GET asks for confirmation."""
    workspace = _workspace(workspace_id)
    form = PlainForm()
    if form.validate_on_submit():
        name = workspace.name
        return carry_out(
            lambda: workspaces.leave(db.session, workspace, current_user),
            done=f"You left “{name}”.",
            to=url_for(".index"),
            refused=(AccountError,),
            refused_to=url_for(".show", workspace_id=workspace_id),
        )
    refusal = workspaces.leave_refusal(db.session, workspace, current_user)
    return render_template("workspaces/leave.html", workspace=workspace, form=form, refusal=refusal)
