"""Read-only share links (tokens stored hashed) and the audit trail."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import and_, or_, select

from advisor.models import Assessment, AuditEvent, ShareLink
from advisor.services import DbSession
from advisor.services.accounts import AccountError, hash_secret, now

MAX_DAYS = 365


def as_utc(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def record(
    session: DbSession,
    workspace_id: int,
    assessment_id: int | None,
    actor: str | None,
    action: str,
    **detail: Any,
) -> AuditEvent:
    event = AuditEvent(
        workspace_id=workspace_id, assessment_id=assessment_id, actor=actor, action=action, detail=detail
    )
    session.add(event)
    return event


def trail(session: DbSession, assessment: Assessment, limit: int = 500) -> list[AuditEvent]:
    """The assessment's events and its workspace's membership changes, newest first."""
    own = AuditEvent.assessment_id == assessment.id
    workspace_wide = and_(
        AuditEvent.workspace_id == assessment.workspace_id,
        AuditEvent.assessment_id.is_(None),
        AuditEvent.action.in_(("member_added", "member_removed", "member_role_changed", "workspace_created")),
    )
    return list(
        session.scalars(select(AuditEvent).where(or_(own, workspace_wide)).order_by(AuditEvent.id.desc()).limit(limit))
    )


def create_link(
    session: DbSession,
    assessment: Assessment,
    days: int,
    revision_number: int | None,
    label: str,
    actor: str | None,
) -> tuple[str, ShareLink]:
    if not 1 <= days <= MAX_DAYS:
        raise AccountError(f"A link lasts 1 to {MAX_DAYS} days.")
    if revision_number is not None and not 1 <= revision_number <= assessment.latest_revision_number:
        raise AccountError("Pin the link to a revision that exists, or to none.")
    raw = secrets.token_urlsafe(32)
    link = ShareLink(
        assessment_id=assessment.id,
        revision_number=revision_number,
        label=label.strip()[:100],
        token_hash=hash_secret(raw),
        created_by=actor,
        expires_at=now() + dt.timedelta(days=days),
    )
    session.add(link)
    session.flush()
    record(
        session,
        assessment.workspace_id,
        assessment.id,
        actor,
        "shared",
        link=link.id,
        label=link.label,
        revision=revision_number,
        days=days,
    )
    return raw, link


def links(session: DbSession, assessment: Assessment) -> list[ShareLink]:
    return list(
        session.scalars(select(ShareLink).where(ShareLink.assessment_id == assessment.id).order_by(ShareLink.id.desc()))
    )


def is_live(link: ShareLink) -> bool:
    return link.revoked_at is None and as_utc(link.expires_at) > now()


def resolve(session: DbSession, raw: str) -> ShareLink | None:
    """The live link for this token, or None when unknown, revoked or expired."""
    link = session.scalar(select(ShareLink).where(ShareLink.token_hash == hash_secret(raw)))
    return link if link is not None and is_live(link) else None


def revoke(session: DbSession, assessment: Assessment, link: ShareLink, actor: str | None) -> None:
    if link.revoked_at is None:
        link.revoked_at = now()
        record(session, assessment.workspace_id, assessment.id, actor, "share_revoked", link=link.id, label=link.label)
    session.flush()
