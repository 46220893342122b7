"""Workspaces and their members: who may read, edit or own which assessments.

Adding an email that has no account yet stores an invitation, which becomes a membership when the
account is made. An owner sees members and invitations alike ("email — role") and manages both the
same way, so adding people never tells an owner which emails have an account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload

from advisor.models import ROLES, Assessment, Invitation, Membership, User, Workspace
from advisor.services import DbSession
from advisor.services.accounts import AccountError, find_user, normalise_email, plausible_email
from advisor.services.audit import record

RANK = {role: i for i, role in enumerate(ROLES, start=1)}


def role_of(session: DbSession, user: User | None, workspace_id: int) -> str | None:
    if user is None:
        return None
    return session.scalar(
        select(Membership.role).where(Membership.workspace_id == workspace_id, Membership.user_id == user.id)
    )


# built once (every assessment page runs it): building it per call cost more than running it
ASSESSMENT_WITH_ROLE = (
    select(Assessment, Membership.role)
    .outerjoin(
        Membership,
        and_(Membership.workspace_id == Assessment.workspace_id, Membership.user_id == bindparam("user_id")),
    )
    .options(joinedload(Assessment.workspace))
    .where(Assessment.id == bindparam("assessment_id"))
)


def assessment_with_role(session: DbSession, assessment_id: int, user: User) -> tuple[Assessment, str | None] | None:
    """The assessment, its workspace, and the user's role there (None: not a member), in one query."""
    row = session.execute(ASSESSMENT_WITH_ROLE, {"assessment_id": assessment_id, "user_id": user.id}).first()
    return None if row is None else (row[0], row[1])


def allows(role: str | None, needed: str) -> bool:
    return role is not None and RANK[role] >= RANK[needed]


def memberships(session: DbSession, user: User) -> list[Membership]:
    """The user's memberships, personal workspace first, then by name."""
    stmt = select(Membership).join(Workspace).options(contains_eager(Membership.workspace))
    rows = session.scalars(stmt.where(Membership.user_id == user.id)).all()
    return sorted(rows, key=lambda m: (m.workspace.personal_for_id != user.id, m.workspace.name.lower()))


def personal_workspace(session: DbSession, user: User) -> Workspace:
    workspace = session.scalar(select(Workspace).where(Workspace.personal_for_id == user.id))
    if workspace is None:  # pragma: no cover - every account is made with one
        raise AccountError("This account has no personal workspace.")
    return workspace


def create_workspace(session: DbSession, name: str, owner: User) -> Workspace:
    """A shared workspace with ``owner`` as its first owner."""
    name = name.strip()
    if not name or len(name) > 100:
        raise AccountError("Give the workspace a name of 1 to 100 characters.")
    workspace = Workspace(name=name)
    session.add(workspace)
    session.flush()
    session.add(Membership(workspace_id=workspace.id, user_id=owner.id, role="owner"))
    session.flush()
    record(session, workspace.id, None, owner.email, "workspace_created", name=workspace.name)
    return workspace


Entry: TypeAlias = Membership | Invitation  # one line of a workspace's member list


@dataclass(frozen=True)
class Listed:
    """A member or an invitation as the workspace page lists it; ``pending`` is shown to administrators only."""

    email: str
    role: str
    pending: bool


def listing(session: DbSession, workspace: Workspace) -> list[Listed]:
    """Members and invitations in one list, by email."""
    members = session.execute(
        select(User.email, Membership.role).join(Membership.user).where(Membership.workspace_id == workspace.id)
    ).all()
    invited = session.execute(
        select(Invitation.email, Invitation.role).where(Invitation.workspace_id == workspace.id)
    ).all()
    rows = [Listed(e, r, False) for e, r in members] + [Listed(e, r, True) for e, r in invited]
    return sorted(rows, key=lambda row: row.email)


def find_entry(session: DbSession, workspace: Workspace, email: str) -> Entry | None:
    """The member or invitation with this email in this workspace."""
    email = normalise_email(email)
    membership = session.scalar(
        select(Membership).join(Membership.user).where(Membership.workspace_id == workspace.id, User.email == email)
    )
    invitation = session.scalar(
        select(Invitation).where(Invitation.workspace_id == workspace.id, Invitation.email == email)
    )  # looked up either way, so both answers take the same queries
    return membership if membership is not None else invitation


def email_of(entry: Entry) -> str:
    return entry.user.email if isinstance(entry, Membership) else entry.email


def _lock(session: DbSession, workspace: Workspace) -> None:
    """Hold the workspace's row (PostgreSQL) until the commit, so that two owners stepping down at once
    cannot leave it without one: the second waits, then counts the first one's change."""
    session.execute(select(Workspace.id).where(Workspace.id == workspace.id).with_for_update())


def _owner_count(session: DbSession, workspace: Workspace) -> int:
    """Owners, invited ones included: to an owner they look the same, so the rule must treat them alike."""
    counts = [
        session.scalar(
            select(func.count()).select_from(model).where(model.workspace_id == workspace.id, model.role == "owner")
        )
        or 0
        for model in (Membership, Invitation)
    ]
    return sum(counts)


def add_member(session: DbSession, workspace: Workspace, email: str, role: str, actor: str | None) -> Entry:
    """A membership if an account has this email, else an invitation; the caller answers the same for both."""
    if workspace.personal_for_id is not None:
        raise AccountError("A personal workspace cannot be shared; create a shared workspace instead.")
    if role not in ROLES:
        raise AccountError(f"Choose a role: {', '.join(ROLES)}.")
    email = normalise_email(email)
    if not plausible_email(email):
        raise AccountError("Enter a valid email address.")
    if find_entry(session, workspace, email) is not None:
        raise AccountError(f"{email} is already in this workspace; change their role instead.")
    user = find_user(session, email)
    entry: Entry
    if user is None:
        entry = Invitation(workspace_id=workspace.id, email=email, role=role, invited_by=actor)
    else:
        entry = Membership(workspace_id=workspace.id, user=user, role=role)
    try:
        with session.begin_nested():  # another owner adding the same email at the same moment loses cleanly
            session.add(entry)
    except IntegrityError:
        raise AccountError(f"{email} is already in this workspace; change their role instead.") from None
    session.refresh(workspace)
    # the same event for both: the audit trail is shown to every member
    record(session, workspace.id, None, actor, "member_added", member=email, role=role)
    return entry


def accept_invitations(session: DbSession, user: User) -> list[Membership]:
    """Turn the invitations waiting for this account's email into memberships (run as the account is made)."""
    joined = []
    waiting = session.scalars(select(Invitation).where(Invitation.email == user.email).order_by(Invitation.id)).all()
    for invitation in waiting:
        already = session.scalar(
            select(Membership.id).where(
                Membership.workspace_id == invitation.workspace_id, Membership.user_id == user.id
            )
        )
        if already is None:  # the first administrator may have adopted the workspace already
            membership = Membership(workspace_id=invitation.workspace_id, user=user, role=invitation.role)
            session.add(membership)
            joined.append(membership)
            # for administrators and backups only: audit.trail, which members see, leaves this action out,
            # so an owner still cannot tell invitations from members
            record(
                session,
                invitation.workspace_id,
                None,
                None,
                "invitation_accepted",
                member=user.email,
                role=invitation.role,
                invited_by=invitation.invited_by,
            )
        session.delete(invitation)
    session.flush()
    return joined


def change_role(session: DbSession, workspace: Workspace, entry: Entry, role: str, actor: str | None) -> None:
    if role not in ROLES:
        raise AccountError(f"Choose a role: {', '.join(ROLES)}.")
    _lock(session, workspace)
    if entry.role == "owner" and role != "owner" and _owner_count(session, workspace) == 1:
        raise AccountError("A workspace needs at least one owner.")
    entry.role = role
    session.flush()
    record(session, workspace.id, None, actor, "member_role_changed", member=email_of(entry), role=role)


def remove_member(session: DbSession, workspace: Workspace, entry: Entry, actor: str | None) -> None:
    _lock(session, workspace)
    if entry.role == "owner" and _owner_count(session, workspace) == 1:
        raise AccountError("A workspace needs at least one owner.")
    record(session, workspace.id, None, actor, "member_removed", member=email_of(entry))
    session.delete(entry)
    session.flush()
    session.refresh(workspace)


def leave_refusal(session: DbSession, workspace: Workspace, user: User) -> str | None:
    """Why this member cannot leave this workspace, or None when they can."""
    if workspace.personal_for_id is not None:
        return "Your personal workspace is yours for good; it cannot be left."
    if role_of(session, user, workspace.id) == "owner" and _owner_count(session, workspace) == 1:
        return "You are the last owner of this workspace: make someone else owner first, then leave."
    return None


def leave(session: DbSession, workspace: Workspace, user: User) -> None:
    """The member steps out of a shared workspace; its assessments stay with the workspace."""
    _lock(session, workspace)
    membership = session.scalar(
        select(Membership).where(Membership.workspace_id == workspace.id, Membership.user_id == user.id)
    )
    if membership is None:
        raise LookupError("not a member of this workspace")
    refusal = leave_refusal(session, workspace, user)
    if refusal:
        raise AccountError(refusal)
    record(session, workspace.id, None, user.email, "member_left", member=user.email, role=membership.role)
    session.delete(membership)
    session.flush()
    session.refresh(workspace)
