"""Workspaces own assessments; memberships give people a role in a workspace; invitations wait for an account."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from advisor.models import limits
from advisor.models.account import User
from advisor.models.base import NEVER_REUSE_IDS, Actor, Base, Created, IntPK

ROLES = ("viewer", "editor", "owner")  # each includes what the one before may do


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[IntPK]
    name: Mapped[str] = mapped_column(String(limits.NAME))
    # a user's own workspace: made with the account, never shared with others
    personal_for_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[Created]

    memberships: Mapped[list[Membership]] = relationship(back_populates="workspace", cascade="all, delete-orphan")
    invitations: Mapped[list[Invitation]] = relationship(back_populates="workspace", cascade="all, delete-orphan")


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("workspace_id", "user_id", name="uq_memberships_workspace_id_user_id"),
        CheckConstraint("role IN ('viewer', 'editor', 'owner')", name="role_known"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[IntPK]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[Created]

    workspace: Mapped[Workspace] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()


class Invitation(Base):
    """A role in a workspace for an email that has no account yet; it becomes a membership when one is made."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("workspace_id", "email", name="uq_invitations_workspace_id_email"),
        CheckConstraint("role IN ('viewer', 'editor', 'owner')", name="role_known"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[IntPK]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # normalised; looked up when an account is made
    email: Mapped[str] = mapped_column(String(limits.EMAIL), index=True)
    role: Mapped[str] = mapped_column(String(10))
    invited_by: Mapped[Actor]
    created_at: Mapped[Created]

    workspace: Mapped[Workspace] = relationship(back_populates="invitations")
