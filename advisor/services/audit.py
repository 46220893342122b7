"""The audit trail: who did what to an assessment or a workspace, and when, newest first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select

from advisor.models import Assessment, AuditEvent
from advisor.services import DbSession
from advisor.services.accounts import now


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


EXPORT_COLLAPSE = dt.timedelta(hours=1)  # the same export again within this long adds to one entry's count
EXPORT_IDS_KEPT = 20  # export ids one collapsed entry keeps (the latest): enough to trace a day's files, bounded
WORKSPACE_ACTIONS = ("member_added", "member_removed", "member_role_changed", "member_left", "workspace_created")


def record_export(
    session: DbSession,
    assessment: Assessment,
    actor: str | None,
    fmt: str,
    revision: int,
    via: str,
    export_id: str,
    **made_for: Any,
) -> AuditEvent:
    """Record an export under its id; repeating one (same who, format, revision and way) within an hour of the
    last time counts it on that entry instead, so downloads cannot push everything else out of sight. The entry
    keeps the ids of its last ``EXPORT_IDS_KEPT`` exports (oldest first) beside the ``count`` of all, so a file
    found later leads back to its entry while the entry stays bounded. ``made_for`` (the bundle's ``teams`` and
    ``apps``) is recorded too, and must match as well for a repeat to count on the same entry."""
    detail = {"format": fmt, "revision": revision, "via": via, **made_for}
    moment = now()
    recent = session.scalars(
        select(AuditEvent).where(AuditEvent.assessment_id == assessment.id).order_by(AuditEvent.id.desc()).limit(10)
    ).all()
    for event in recent:
        if event.action != "exported":
            break  # only a run of exports collapses: anything else in between is kept in its place
        last = dt.datetime.fromisoformat(event.detail.get("last_at") or as_utc(event.created_at).isoformat())
        same = event.actor == actor and all(event.detail.get(k) == v for k, v in detail.items())
        if same and moment - as_utc(last) <= EXPORT_COLLAPSE:
            count = int(event.detail.get("count", 1)) + 1
            ids = [*event.detail.get("export_ids", []), export_id][-EXPORT_IDS_KEPT:]
            # a new dict: the JSON column notices reassignment, not changes inside it
            event.detail = {**event.detail, "count": count, "last_at": moment.isoformat(), "export_ids": ids}
            return event
    return record(session, assessment.workspace_id, assessment.id, actor, "exported", **detail, export_ids=[export_id])


def _trail_filter(assessment: Assessment, workspace_events: bool) -> ColumnElement[bool]:
    own = AuditEvent.assessment_id == assessment.id
    if not workspace_events:
        return own
    workspace_wide = and_(
        AuditEvent.workspace_id == assessment.workspace_id,
        AuditEvent.assessment_id.is_(None),
        AuditEvent.action.in_(WORKSPACE_ACTIONS),
    )
    return or_(own, workspace_wide)


def trail(
    session: DbSession,
    assessment: Assessment,
    limit: int | None = 500,
    offset: int = 0,
    *,
    workspace_events: bool = True,
    until: dt.datetime | None = None,
) -> list[AuditEvent]:
    """The assessment's events, newest first (``limit`` None: all of them; ``until``: those up to that moment),
    with its workspace's membership changes unless ``workspace_events`` is false (a share link's reader sees the
    assessment's own trail only)."""
    where = _trail_filter(assessment, workspace_events)
    if until is not None:
        where = and_(where, AuditEvent.created_at <= until)
    statement = select(AuditEvent).where(where).order_by(AuditEvent.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(statement))


def trail_length(session: DbSession, assessment: Assessment) -> int:
    where = _trail_filter(assessment, True)
    return session.scalar(select(func.count()).select_from(AuditEvent).where(where)) or 0
