"""Read-only share links (tokens stored hashed)."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select

from advisor.models import Assessment, ShareLink, limits
from advisor.services import DbSession
from advisor.services.accounts import hash_secret, now
from advisor.services.audit import as_utc, record


class SharingError(Exception):
    """A share link that cannot be made as asked; the message says why, in words for the person asking."""


MAX_DAYS = 365


def create_link(
    session: DbSession,
    assessment: Assessment,
    days: int,
    revision_number: int | None,
    label: str,
    actor: str | None,
    *,
    frozen: bool = False,
) -> tuple[str, ShareLink]:
    """A new link and its token (shown once; only its hash is kept). A ``frozen`` link shows the assessment as
    it stands now for as long as it lasts, pinned to the revision asked for or else the latest one now."""
    if not 1 <= days <= MAX_DAYS:
        raise SharingError(f"A link lasts 1 to {MAX_DAYS} days.")
    if revision_number is not None and not 1 <= revision_number <= assessment.latest_revision_number:
        raise SharingError("Pin the link to a revision that exists, or to none.")
    if frozen:
        if not assessment.latest_revision_number:
            raise SharingError("Save a revision first: a frozen link shows a saved report.")
        revision_number = revision_number or assessment.latest_revision_number
    raw = secrets.token_urlsafe(32)
    link = ShareLink(
        frozen_at=now() if frozen else None,
        assessment_id=assessment.id,
        revision_number=revision_number,
        label=label.strip()[: limits.LABEL],
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
        frozen_at=link.frozen_at.isoformat() if link.frozen_at else None,
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
