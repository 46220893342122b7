"""Read-only share links for auditors, and the audit trail of who did what."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from advisor.models import limits
from advisor.models.base import NEVER_REUSE_IDS, Actor, Base, Created, IntPK


class ShareLink(Base):
    """A link that shows one assessment (optionally one revision) read-only; the token is stored hashed."""

    __tablename__ = "share_links"

    id: Mapped[IntPK]
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    revision_number: Mapped[int | None]
    label: Mapped[str] = mapped_column(String(limits.LABEL), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[Actor]
    created_at: Mapped[Created]
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # set for a link frozen at the moment it was made: it shows statuses, notes and evidence as they stood then
    # (services.history), whatever changes after; None for a live link, which shows them as they are
    frozen_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """One thing that happened to an assessment or a workspace, and who did it."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_assessment_id_id", "assessment_id", "id"),
        Index("ix_audit_events_workspace_id_id", "workspace_id", "id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[IntPK]
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    actor: Mapped[Actor]
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]]
    created_at: Mapped[Created]
