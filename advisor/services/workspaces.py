"""Workspaces and their members: who may read, edit or own which assessments."""

from __future__ import annotations

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import contains_eager, joinedload

from advisor.models import ROLES, Assessment, Membership, User, Workspace
from advisor.services import DbSession
from advisor.services.accounts import AccountError, find_user
from advisor.services.sharing import record

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


def _owners(workspace: Workspace) -> list[Membership]:
    return [m for m in workspace.memberships if m.role == "owner"]


def add_member(session: DbSession, workspace: Workspace, email: str, role: str, actor: str | None) -> Membership:
    if workspace.personal_for_id is not None:
        raise AccountError("A personal workspace cannot be shared; create a shared workspace instead.")
    if role not in ROLES:
        raise AccountError(f"Choose a role: {', '.join(ROLES)}.")
    user = find_user(session, email)
    if user is None:
        raise AccountError("No account has this email address; ask an administrator to create it first.")
    if any(m.user_id == user.id for m in workspace.memberships):
        raise AccountError(f"{user.email} is a member already; change their role instead.")
    membership = Membership(workspace_id=workspace.id, user_id=user.id, role=role)
    session.add(membership)
    session.flush()
    session.refresh(workspace)
    record(session, workspace.id, None, actor, "member_added", member=user.email, role=role)
    return membership


def change_role(session: DbSession, workspace: Workspace, membership: Membership, role: str, actor: str | None) -> None:
    if role not in ROLES:
        raise AccountError(f"Choose a role: {', '.join(ROLES)}.")
    if membership.role == "owner" and role != "owner" and len(_owners(workspace)) == 1:
        raise AccountError("A workspace needs at least one owner.")
    membership.role = role
    session.flush()
    record(session, workspace.id, None, actor, "member_role_changed", member=membership.user.email, role=role)


def remove_member(session: DbSession, workspace: Workspace, membership: Membership, actor: str | None) -> None:
    if membership.role == "owner" and len(_owners(workspace)) == 1:
        raise AccountError("A workspace needs at least one owner.")
    record(session, workspace.id, None, actor, "member_removed", member=membership.user.email)
    session.delete(membership)
    session.flush()
    session.refresh(workspace)
